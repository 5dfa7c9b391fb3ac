require ["fileinto"];
if address :is "to" "a@x.org" {
  fileinto "g";
}
if address :is "to" "c@z.org" {
  fileinto "m";
}
