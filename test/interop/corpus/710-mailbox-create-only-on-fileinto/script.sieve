require ["mailbox", "fileinto"];
keep :create;
