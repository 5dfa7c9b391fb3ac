require "comparator-i;ascii-numeric";

# RFC 4790 §9.1: i;ascii-numeric has equality and order, no substring match.
if header :contains :comparator "i;ascii-numeric" "x-count" "1" {
	discard;
}
if header :matches :comparator "i;ascii-numeric" "x-count" "1*" {
	discard;
}

# RFC 5228 §2.7.3: a comparator nobody registered.
if header :comparator "i;numeric" "x-count" "1" {
	discard;
}
