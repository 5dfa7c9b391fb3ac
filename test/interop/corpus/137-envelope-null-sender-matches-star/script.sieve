require ["fileinto", "envelope"];
if envelope :matches "from" "*" {
  fileinto "star";
}
if envelope :matches "from" "?*" {
  fileinto "one";
}
