require ["environment", "fileinto"];
if environment "name" {
  fileinto "found";
}
