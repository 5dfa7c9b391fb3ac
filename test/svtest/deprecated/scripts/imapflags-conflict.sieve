require ["imapflags", "imap4flags"];
keep;
