require ["environment", "fileinto"];
if environment :contains "x-unknown" "" {
  fileinto "found";
}
