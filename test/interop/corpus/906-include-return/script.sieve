require ["include", "fileinto"];
include "sub";
fileinto "main-after";
