require ["reject", "fileinto", "copy"];
fileinto :copy "Archive";
reject "Not accepted.";
