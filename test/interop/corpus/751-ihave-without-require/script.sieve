require "fileinto";
if ihave "fileinto" {
  fileinto "x";
}
