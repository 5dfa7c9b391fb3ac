require ["fileinto", "special-use"];

if specialuse_exists ["INBOX", "Sent"] "\\Sent" {
	keep;
}
fileinto :specialuse "Spam";
if specialuse_exists {
	keep;
}
