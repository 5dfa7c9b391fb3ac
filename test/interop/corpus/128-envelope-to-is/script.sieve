require ["fileinto", "envelope"];
if envelope :is "to" "bob+tag@example.com" {
  fileinto "yes";
} else {
  fileinto "no";
}
