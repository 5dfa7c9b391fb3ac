if duplicate {
	discard;
}
