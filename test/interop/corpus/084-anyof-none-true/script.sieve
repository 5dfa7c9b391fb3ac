require ["fileinto"];
if anyof (false, exists "x-none") {
  fileinto "yes";
} else {
  fileinto "no";
}
