require ["include", "fileinto"];
fileinto "sub-before";
return;
fileinto "sub-after";
