require "fileinto";

if specialuse_exists "\\Junk" {
	fileinto :specialuse "\\Junk" "Spam";
}
