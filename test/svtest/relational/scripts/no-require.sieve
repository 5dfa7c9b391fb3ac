if header :count "gt" "received" "5" {
	discard;
}
