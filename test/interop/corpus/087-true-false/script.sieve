require ["fileinto"];
if true {
  fileinto "t";
}
if false {
  fileinto "f";
}
