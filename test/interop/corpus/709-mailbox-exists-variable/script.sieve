require ["mailbox", "fileinto", "variables"];
set "m" "INBOX";
if mailboxexists "${m}" {
  fileinto "found";
}
