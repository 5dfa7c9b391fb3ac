if virustest :is "5" {
	discard;
}
