require ["reject", "ereject"];

if header :contains "subject" "one" {
	reject 550;
} elsif header :contains "subject" "two" {
	ereject ["no", "never"];
} else {
	reject;
}
