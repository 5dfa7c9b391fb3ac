require ["include", "fileinto"];
include "site";
