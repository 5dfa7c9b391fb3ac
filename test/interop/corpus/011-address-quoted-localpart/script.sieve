require ["fileinto"];
if address :localpart :is "from" "john doe" {
  fileinto "lp-unquoted";
}
if address :localpart :is "from" "\"john doe\"" {
  fileinto "lp-quoted";
}
if address :all :is "from" "\"john doe\"@example.org" {
  fileinto "all-quoted";
}
if address :all :is "from" "john doe@example.org" {
  fileinto "all-unquoted";
}
