require ["fileinto"];
if header :contains "subject" "" {
  fileinto "yes";
} else {
  fileinto "no";
}
