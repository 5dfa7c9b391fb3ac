require "reject";

if address :domain :is "from" "spam.example.com" {
	reject "Don't send unrequested messages.";
	stop;
}
keep;
