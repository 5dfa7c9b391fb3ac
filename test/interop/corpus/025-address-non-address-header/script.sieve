require ["fileinto"];
if address :contains "subject" "x" {
  fileinto "yes";
} else {
  fileinto "no";
}
