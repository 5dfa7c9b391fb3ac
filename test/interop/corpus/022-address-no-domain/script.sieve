require ["fileinto"];
if address :localpart :is "from" "alice" {
  fileinto "lp";
}
if address :all :is "from" "alice" {
  fileinto "all";
}
if address :domain :is "from" "" {
  fileinto "dom-empty";
}
if address :domain :matches "from" "?*" {
  fileinto "dom-any";
}
