require "ihave";
if ihave "fileinto" {
  fileinto "x";
}
