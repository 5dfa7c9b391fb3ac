require ["fileinto"];
if header :is "x-empty" "" {
  fileinto "empty";
}
if header :matches "x-empty" "*" {
  fileinto "star";
}
if header :matches "x-empty" "?*" {
  fileinto "q";
}
