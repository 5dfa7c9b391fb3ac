require "spamtest";
require "relational";
require "comparator-i;ascii-numeric";

# RFC 5235 §3.2.2: :percent belongs to "spamtestplus".
if spamtest :percent :value "ge" :comparator "i;ascii-numeric" "50" {
	discard;
}
