require ["fileinto"];
if size :over 1M {
  fileinto "over";
}
if size :under 1M {
  fileinto "under";
}
