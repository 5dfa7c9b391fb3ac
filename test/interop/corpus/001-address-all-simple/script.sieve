require ["fileinto"];
if address :all :is "from" "alice@example.org" {
  fileinto "yes";
} else {
  fileinto "no";
}
