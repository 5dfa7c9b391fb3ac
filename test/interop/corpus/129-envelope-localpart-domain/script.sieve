require ["fileinto", "envelope"];
if envelope :localpart :is "from" "owner-list" {
  fileinto "lp";
}
if envelope :domain :is "from" "lists.example" {
  fileinto "dom";
}
if envelope :domain :is "to" "EXAMPLE.COM" {
  fileinto "to-dom";
}
