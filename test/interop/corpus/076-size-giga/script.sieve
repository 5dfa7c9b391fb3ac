require ["fileinto"];
if size :under 1G {
  fileinto "under";
}
if size :over 0 {
  fileinto "over0";
}
