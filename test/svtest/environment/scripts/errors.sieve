require "environment";

# RFC 5183 §4: the key list is missing.
if environment "location" {
	keep;
}

# The item name is a string.
if environment 42 "MS" {
	keep;
}

# A list of names is not allowed either.
if environment ["name", "location"] "MS" {
	keep;
}
