require ["fileinto"];
if size :under 0 {
  fileinto "yes";
} else {
  fileinto "no";
}
