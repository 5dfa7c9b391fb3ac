require ["fileinto", "envelope"];
if envelope :contains ["from", "to"] "bob" {
  fileinto "yes";
} else {
  fileinto "no";
}
