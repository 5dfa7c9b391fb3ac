require ["fileinto"];
if header :is "subject" "hello world" {
  fileinto "space";
}
if header :is "subject" "hello	world" {
  fileinto "tab";
}
if header :matches "subject" "hello?world" {
  fileinto "q";
}
