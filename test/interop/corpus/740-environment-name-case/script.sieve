require ["environment", "fileinto"];
if environment :contains "NAME" "" {
  fileinto "found";
}
