if body :contains "frop" {
	discard;
}
