require "ihave";
if ihave ["fileinto", "envelope"] {
  if envelope :all "from" "sender@example.net" {
    fileinto "x";
  }
}
