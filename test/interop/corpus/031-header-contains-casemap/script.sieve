require ["fileinto"];
if header :contains "subject" "MEETING" {
  fileinto "yes";
} else {
  fileinto "no";
}
