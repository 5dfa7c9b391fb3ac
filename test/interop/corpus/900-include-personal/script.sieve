require ["include", "fileinto"];
include :personal "sub";
fileinto "main-after";
