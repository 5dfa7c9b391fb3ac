if header :index 1 "received" "*" {
	keep;
}
