require ["fileinto"];
if header :is "subject" "nospace" {
  fileinto "yes";
} else {
  fileinto "no";
}
