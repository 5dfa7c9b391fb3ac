require ["fileinto", "mailboxid"];

if mailboxidexists 42 {
	keep;
}
if mailboxidexists :is "F6352ae03" {
	keep;
}
fileinto :mailboxid ["F1", "F2"] "Lists";
keep :mailboxid "F1";
