if header :contains :comparator "i;unicode-casemap" "subject" "ärger" {
	discard;
}
