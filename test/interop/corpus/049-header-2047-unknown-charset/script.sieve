require ["fileinto"];
if header :is "subject" "=?x-no-such-charset?Q?abc?=" {
  fileinto "literal";
}
if header :is "subject" "abc" {
  fileinto "decoded";
}
if header :contains "subject" "abc" {
  fileinto "contains";
}
