require "fileinto";

if address :contains "to" "example.org" {
	fileinto "Lists";
}
fileinto "Backup";
redirect "archive@example.net";
keep;
