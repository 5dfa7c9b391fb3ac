if environment :is "location" "MS" {
	keep;
}
