require "ihave";
if ihave "x-frobnicate" {
  frobnicate :hard "x";
}
