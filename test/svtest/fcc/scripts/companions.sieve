require ["vacation", "enotify", "fcc", "mailbox", "imap4flags"];

vacation :create "I am away.";
notify :flags "\\Seen" "mailto:alice@example.com";
