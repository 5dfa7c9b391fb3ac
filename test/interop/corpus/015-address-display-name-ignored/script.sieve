require ["fileinto"];
if address :all :contains "from" "evil" {
  fileinto "yes";
} else {
  fileinto "no";
}
