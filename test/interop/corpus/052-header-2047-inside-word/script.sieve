require ["fileinto"];
if header :is "subject" "abcxdef" {
  fileinto "decoded";
}
if header :is "subject" "abc=?UTF-8?Q?x?=def" {
  fileinto "literal";
}
