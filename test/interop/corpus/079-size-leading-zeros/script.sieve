require ["fileinto"];
if size :over 00010 {
  fileinto "yes";
} else {
  fileinto "no";
}
