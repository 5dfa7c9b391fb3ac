require ["mailbox", "fileinto"];
if mailboxexists ["INBOX", "Nope"] {
  fileinto "found";
}
