require ["fileinto", "fileinto"];
fileinto "yes";
