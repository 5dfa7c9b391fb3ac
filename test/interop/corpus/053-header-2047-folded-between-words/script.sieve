require ["fileinto"];
if header :is "subject" "Straße" {
  fileinto "yes";
} else {
  fileinto "no";
}
