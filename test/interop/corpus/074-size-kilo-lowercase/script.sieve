require ["fileinto"];
if size :under 1k {
  fileinto "yes";
} else {
  fileinto "no";
}
