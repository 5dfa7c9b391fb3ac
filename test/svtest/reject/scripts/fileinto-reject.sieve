require ["reject", "fileinto"];

fileinto "Junk";
reject "Not for me.";
