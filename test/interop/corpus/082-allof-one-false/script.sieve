require ["fileinto"];
if allof (exists "from", exists "x-none", true) {
  fileinto "yes";
} else {
  fileinto "no";
}
