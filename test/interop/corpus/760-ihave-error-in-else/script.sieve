require "ihave";
if ihave "fileinto" {
  fileinto "ok";
} else {
  error "no fileinto";
}
