require ["fileinto"];
if address :contains "cc" "" {
  fileinto "yes";
} else {
  fileinto "no";
}
