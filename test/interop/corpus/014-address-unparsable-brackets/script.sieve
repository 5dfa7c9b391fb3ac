require ["fileinto"];
if address :all :contains "from" "alice" {
  fileinto "all";
}
if address :localpart :is "from" "alice" {
  fileinto "lp";
}
if address :all :matches "from" "*" {
  fileinto "any";
}
