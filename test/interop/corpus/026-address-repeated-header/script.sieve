require ["fileinto"];
if address :is "cc" "second@example.org" {
  fileinto "yes";
} else {
  fileinto "no";
}
