require ["include", "fileinto"];
fileinto "before";
return;
fileinto "after";
