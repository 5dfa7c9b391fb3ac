require ["fileinto", "special-use"];

if specialuse_exists ["\\Junk", "Junk"] {
	keep;
}
if specialuse_exists "INBOX" "\\Sent Items" {
	keep;
}
fileinto :specialuse "\\Trash*" "Trash";
