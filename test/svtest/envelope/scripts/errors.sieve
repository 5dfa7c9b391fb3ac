require "envelope";

# RFC 5228 §5.4: "resent-from" is not an envelope part.
if envelope "resent-from" "alice@example.com" {
	discard;
}

# The key list is missing.
if envelope "to" {
	discard;
}

# Two address parts.
if envelope :localpart :domain "from" "example.com" {
	discard;
}
