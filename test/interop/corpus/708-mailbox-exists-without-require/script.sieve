require "fileinto";
if mailboxexists "INBOX" {
  fileinto "found";
}
