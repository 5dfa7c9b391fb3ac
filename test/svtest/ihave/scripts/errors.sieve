require "ihave";

# RFC 5463 §5: error takes one string.
error;
error 42;

# RFC 5463 §4: the capabilities are a string list.
if ihave 1 {
	keep;
}
