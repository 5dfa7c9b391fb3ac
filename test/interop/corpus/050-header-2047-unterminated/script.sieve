require ["fileinto"];
if header :is "subject" "=?UTF-8?Q?abc" {
  fileinto "literal";
}
if header :is "subject" "abc" {
  fileinto "decoded";
}
