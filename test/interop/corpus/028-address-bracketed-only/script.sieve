require ["fileinto"];
if address :is "to" "bob@example.com" {
  fileinto "yes";
} else {
  fileinto "no";
}
