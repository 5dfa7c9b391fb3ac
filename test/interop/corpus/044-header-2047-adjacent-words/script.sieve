require ["fileinto"];
if header :is "subject" "ab" {
  fileinto "joined";
}
if header :is "subject" "a b" {
  fileinto "spaced";
}
