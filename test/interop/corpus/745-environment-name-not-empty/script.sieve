require ["environment", "fileinto"];
if environment :is "name" "" {
  fileinto "empty";
}
