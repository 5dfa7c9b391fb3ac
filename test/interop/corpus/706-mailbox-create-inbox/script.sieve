require ["mailbox", "fileinto"];
fileinto :create "INBOX";
