require ["servermetadata", "fileinto"];
if servermetadata "/shared/admin" {
  fileinto "found";
}
