require "ihave";
if ihave "x-frobnicate" {
  frobnicate "x";
  bar;
} else {
  discard;
}
