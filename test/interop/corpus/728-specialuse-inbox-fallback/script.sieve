require ["special-use", "fileinto"];
fileinto :specialuse "\\Junk" "INBOX";
