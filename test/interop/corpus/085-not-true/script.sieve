require ["fileinto"];
if not true {
  fileinto "nt";
}
if not false {
  fileinto "nf";
}
if not not true {
  fileinto "nnt";
}
