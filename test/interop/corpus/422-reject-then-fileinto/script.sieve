require ["reject", "fileinto"];
reject "Not accepted.";
fileinto "Archive";
