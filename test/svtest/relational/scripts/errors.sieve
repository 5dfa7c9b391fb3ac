require "relational";
require "comparator-i;ascii-numeric";

# RFC 5231 §5: "gtx" is not a relation.
if header :value "gtx" "x-priority" "3" {
	discard;
}

# The relation is missing: :count is followed by another tag.
if header :count :comparator "i;ascii-numeric" "received" "3" {
	discard;
}

# A number is not a relation.
if header :value 1 "x-priority" "3" {
	discard;
}

# Only one match type.
if header :is :count "eq" "received" "3" {
	discard;
}
