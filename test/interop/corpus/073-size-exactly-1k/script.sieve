require ["fileinto"];
if size :over 1K {
  fileinto "over";
}
if size :under 1K {
  fileinto "under";
}
if size :over 1023 {
  fileinto "over-1023";
}
