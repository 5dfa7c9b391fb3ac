require ["fileinto"];
if address :domain :is "from" "example.org" {
  fileinto "dom";
}
if address :domain :is "from" "alice@example.org" {
  fileinto "whole";
}
