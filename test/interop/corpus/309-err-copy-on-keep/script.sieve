require ["copy", "fileinto"];
keep :copy;
