require ["fileinto"];
if header :is "x-f" "a  b" {
  fileinto "a";
}
if header :matches "x-f" "a*b" {
  fileinto "b";
}
