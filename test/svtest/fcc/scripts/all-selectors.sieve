require ["vacation", "fcc", "mailbox", "imap4flags", "special-use", "mailboxid"];

vacation :fcc "Sent" :create :flags ["\\Seen", "$Vacation"] :specialuse "\\Sent" :mailboxid "F1234"
	"I am away.";
