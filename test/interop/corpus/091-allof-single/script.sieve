require ["fileinto"];
if allof (true) {
  fileinto "yes";
} else {
  fileinto "no";
}
