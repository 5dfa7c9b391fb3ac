require ["fileinto"];
if address :domain :is "to" "y.org" {
  fileinto "yes";
} else {
  fileinto "no";
}
