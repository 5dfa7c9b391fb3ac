require ["servermetadata", "fileinto"];
if servermetadataexists ["/shared/admin", "/private/vendor/x"] {
  fileinto "found";
}
