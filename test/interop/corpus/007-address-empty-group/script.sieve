require ["fileinto"];
if address :contains "to" "@" {
  fileinto "at";
}
if address :is "to" "" {
  fileinto "empty";
}
if exists "to" {
  fileinto "exists";
}
