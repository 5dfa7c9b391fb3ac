require "ihave";
if false {
  keep;
} elsif ihave "fileinto" {
  fileinto "e";
}
