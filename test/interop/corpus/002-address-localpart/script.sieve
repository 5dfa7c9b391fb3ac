require ["fileinto"];
if address :localpart :is "from" "alice.smith" {
  fileinto "yes";
} else {
  fileinto "no";
}
