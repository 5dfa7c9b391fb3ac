if false {
  fileinto "x";
}
