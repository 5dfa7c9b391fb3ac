require ["fileinto"];
if address :localpart :is "from" "alice" {
  fileinto "lp";
}
if address :domain :is "from" "example.org" {
  fileinto "dom";
}
