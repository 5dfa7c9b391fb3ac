require ["fileinto"];
if header :is "subject" "hello world" {
  fileinto "one-space";
}
if header :is "subject" "hello  world" {
  fileinto "two-space";
}
if header :contains "subject" "
" {
  fileinto "crlf";
}
