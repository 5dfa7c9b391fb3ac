require ["fileinto"];
if size :under 4294967295 {
  fileinto "under";
}
if size :over 4294967295 {
  fileinto "over";
}
