require ["mailbox", "fileinto"];
if mailboxexists :is "INBOX" {
  fileinto "found";
}
