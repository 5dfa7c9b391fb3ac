if header :comparator "i;ascii-numeric" "x-spam-score" "5" {
	discard;
}
