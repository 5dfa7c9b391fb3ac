require ["fileinto"];
if header :matches "x-a" "\\abc" {
  fileinto "a";
}
if header :matches "x-a" "a\\bc" {
  fileinto "b";
}
