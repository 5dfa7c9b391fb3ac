require ["fileinto"];
if header :contains "subject" "Привет" {
  fileinto "yes";
} else {
  fileinto "no";
}
