require ["ihave", "fileinto"];
if ihave "copy" {
  fileinto :copy "c";
}
