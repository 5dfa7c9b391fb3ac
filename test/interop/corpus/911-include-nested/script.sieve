require ["include", "fileinto"];
include "a";
fileinto "main";
