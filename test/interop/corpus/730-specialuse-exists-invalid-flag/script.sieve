require ["special-use", "fileinto"];
if specialuse_exists "Junk" {
  fileinto "found";
}
