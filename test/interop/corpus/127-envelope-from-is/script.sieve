require ["fileinto", "envelope"];
if envelope :is "from" "owner-list@lists.example" {
  fileinto "yes";
} else {
  fileinto "no";
}
