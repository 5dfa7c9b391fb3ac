require ["fileinto"];
if header :matches "subject" "Mee?ing tomorrow" {
  fileinto "one";
}
if header :matches "subject" "Meet?ing tomorrow" {
  fileinto "zero";
}
if header :matches "subject" "M??ting*" {
  fileinto "many";
}
