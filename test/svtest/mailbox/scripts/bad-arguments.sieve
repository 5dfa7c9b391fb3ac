require ["fileinto", "mailbox"];

if mailboxexists 42 {
	keep;
}
if mailboxexists :is "Lists" {
	keep;
}
keep :create;
