require ["fileinto"];
if address :all :is "from" "not an address at all" {
  fileinto "whole";
}
if address :all :contains "from" "address" {
  fileinto "contains";
}
if address :localpart :contains "from" "not" {
  fileinto "lp";
}
if address :domain :contains "from" "all" {
  fileinto "dom";
}
