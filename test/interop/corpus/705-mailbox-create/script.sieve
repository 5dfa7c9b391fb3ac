require ["mailbox", "fileinto"];
fileinto :create "Lists/new";
