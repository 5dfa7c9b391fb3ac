require ["fileinto"];
if header :is "subject" "é" {
  fileinto "yes";
} else {
  fileinto "no";
}
