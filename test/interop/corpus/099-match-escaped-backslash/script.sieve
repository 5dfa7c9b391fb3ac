require ["fileinto"];
if header :matches "x-a" "C:\\\\dir*" {
  fileinto "one";
}
if header :is "x-a" "C:\\dir\\file" {
  fileinto "is";
}
