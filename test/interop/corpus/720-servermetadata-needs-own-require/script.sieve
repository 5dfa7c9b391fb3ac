require ["mboxmetadata", "fileinto"];
if servermetadataexists "/shared/admin" {
  fileinto "found";
}
