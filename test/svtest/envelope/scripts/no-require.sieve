if envelope :domain "from" "example.net" {
	discard;
}
