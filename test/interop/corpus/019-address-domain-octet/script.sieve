require ["fileinto"];
if address :domain :comparator "i;octet" :is "from" "EXAMPLE.ORG" {
  fileinto "octet";
}
if address :domain :is "from" "EXAMPLE.ORG" {
  fileinto "casemap";
}
