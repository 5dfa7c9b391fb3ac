require "fileinto";

fileinto :mailboxid "F6352ae03" "Lists";
