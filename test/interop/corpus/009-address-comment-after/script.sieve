require ["fileinto"];
if address :all :is "from" "alice@example.org" {
  fileinto "exact";
}
if address :all :contains "from" "Smith" {
  fileinto "comment";
}
