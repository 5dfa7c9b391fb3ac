require ["servermetadata", "fileinto"];
if not servermetadata :matches "/shared/admin" "*" {
  fileinto "none";
}
