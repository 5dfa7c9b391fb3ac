require ["fileinto"];
if address :is "to" "b@y.org" {
  fileinto "yes";
} else {
  fileinto "no";
}
