require ["fileinto"];
if address :is "from" "joerg@example.org" {
  fileinto "yes";
} else {
  fileinto "no";
}
