require "ihave";
if ihave ["fileinto", "x-frobnicate"] {
  fileinto "x";
}
