require "spamtest";

# RFC 5235 §3.2: the value is a string.
if spamtest 5 {
	discard;
}

# The value is missing.
if spamtest :is {
	discard;
}

# RFC 5235 §3.2: a list of values is not allowed either.
if spamtest ["5", "6"] {
	discard;
}
