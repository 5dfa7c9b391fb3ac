if currentdate "year" "2028" {
	discard;
}
