require ["fileinto"];
if header :is "subject" "é" {
  fileinto "joined";
}
if header :contains "subject" "é" {
  fileinto "contains-e";
}
