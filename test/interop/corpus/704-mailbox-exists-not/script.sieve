require ["mailbox", "fileinto"];
if not mailboxexists "Lists" {
  fileinto "nolists";
}
