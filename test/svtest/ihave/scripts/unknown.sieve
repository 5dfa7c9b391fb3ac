require "ihave";

# RFC 5463 §4: the block of an unsupported capability is not checked, so it may use commands
# this implementation does not know.
if ihave "x-frobnicate" {
	frobnicate :hard "all";
	discard;
} else {
	keep;
}
