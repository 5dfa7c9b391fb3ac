if address :detail "to" "lists" {
	discard;
}
