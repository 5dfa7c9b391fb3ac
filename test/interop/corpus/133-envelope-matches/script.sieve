require ["fileinto", "envelope"];
if envelope :matches "from" "*@*.net" {
  fileinto "yes";
} else {
  fileinto "no";
}
