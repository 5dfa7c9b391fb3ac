require ["fileinto"];
if size :over 176 {
  fileinto "over-n-1";
}
if size :over 177 {
  fileinto "over-n";
}
if size :under 177 {
  fileinto "under-n";
}
if size :under 178 {
  fileinto "under-n+1";
}
