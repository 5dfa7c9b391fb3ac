require ["editheader", "fileinto", "variables"];
deleteheader :last "X-A";
