require ["fileinto"];
if size :over 2K {
  fileinto "yes";
} else {
  fileinto "no";
}
