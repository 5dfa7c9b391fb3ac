require ["reject", "fileinto"];
fileinto "Archive";
reject "Not accepted.";
