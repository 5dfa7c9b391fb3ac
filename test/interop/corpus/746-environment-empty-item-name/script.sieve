require ["environment", "fileinto"];
if environment :contains "" "" {
  fileinto "found";
}
