require ["fileinto"];
if address :localpart :is "from" "a@b" {
  fileinto "lp";
}
if address :domain :is "from" "example.org" {
  fileinto "dom";
}
if address :domain :is "from" "b" {
  fileinto "dom-b";
}
