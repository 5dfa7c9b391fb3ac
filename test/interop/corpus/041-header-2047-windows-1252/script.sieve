require ["fileinto"];
if header :is "subject" "€100" {
  fileinto "yes";
} else {
  fileinto "no";
}
