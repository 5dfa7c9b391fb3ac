require "virustest";
require "spamtestplus";

# RFC 5235 §3.3: virustest has no :percent.
if virustest :percent "100" {
	discard;
}

# RFC 5235 §3.3: the value is a string.
if virustest 5 {
	discard;
}
