require ["environment", "fileinto"];
if environment :matches "version" "*.*" {
  fileinto "versioned";
}
