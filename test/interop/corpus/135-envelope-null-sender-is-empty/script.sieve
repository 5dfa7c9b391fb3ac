require ["fileinto", "envelope"];
if envelope :is "from" "" {
  fileinto "empty";
}
if envelope :contains "from" "@" {
  fileinto "at";
}
