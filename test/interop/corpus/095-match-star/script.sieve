require ["fileinto"];
if header :matches "subject" "*tom*" {
  fileinto "a";
}
if header :matches "subject" "Meet*" {
  fileinto "b";
}
if header :matches "subject" "*Meet" {
  fileinto "c";
}
