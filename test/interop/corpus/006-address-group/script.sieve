require ["fileinto"];
if address :is "to" "b@y.org" {
  fileinto "member";
}
if address :localpart :is "to" "Friends" {
  fileinto "groupname";
}
