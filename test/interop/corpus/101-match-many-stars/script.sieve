require ["fileinto"];
if header :matches "x-a" "*a*b*c*" {
  fileinto "a";
}
if header :matches "x-a" "*c*b*a*" {
  fileinto "b";
}
if header :matches "x-a" "*a*a*a*" {
  fileinto "c";
}
