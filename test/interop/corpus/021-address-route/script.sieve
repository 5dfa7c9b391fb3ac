require ["fileinto"];
if address :all :is "from" "alice@example.org" {
  fileinto "all";
}
if address :all :contains "from" "route" {
  fileinto "route";
}
