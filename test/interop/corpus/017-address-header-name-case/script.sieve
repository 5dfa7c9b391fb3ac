require ["fileinto"];
if address :is "FROM" "alice@example.org" {
  fileinto "yes";
} else {
  fileinto "no";
}
