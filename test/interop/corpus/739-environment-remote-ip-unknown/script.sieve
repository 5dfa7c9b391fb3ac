require ["environment", "fileinto"];
if environment :contains "remote-ip" "" {
  fileinto "found";
}
