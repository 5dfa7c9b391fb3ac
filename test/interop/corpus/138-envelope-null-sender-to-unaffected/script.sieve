require ["fileinto", "envelope"];
if envelope :is "to" "bob@example.com" {
  fileinto "to";
}
if not envelope :is "from" "" {
  fileinto "from-nonempty";
}
