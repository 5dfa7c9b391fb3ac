require "fileinto";

if mailboxexists "Lists" {
	fileinto :create "Lists";
}
