require ["fileinto"];
if header :is "subject" "=?UTF-8?B?###?=" {
  fileinto "literal";
}
if header :contains "subject" "###" {
  fileinto "contains";
}
