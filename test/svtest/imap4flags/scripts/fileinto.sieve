require ["fileinto", "mailbox"];
fileinto :create "Sorted";
