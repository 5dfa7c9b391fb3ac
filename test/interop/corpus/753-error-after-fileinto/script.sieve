require ["ihave", "fileinto"];
fileinto "a";
error "stop here";
fileinto "b";
