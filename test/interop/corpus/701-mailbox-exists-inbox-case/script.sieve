require ["mailbox", "fileinto"];
if mailboxexists "inbox" {
  fileinto "found";
}
