require ["fileinto", "envelope"];
if envelope :is "FROM" "sender@example.net" {
  fileinto "yes";
} else {
  fileinto "no";
}
