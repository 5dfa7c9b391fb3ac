require ["special-use", "fileinto"];
if not specialuse_exists "\\Archive" {
  fileinto "noarchive";
}
