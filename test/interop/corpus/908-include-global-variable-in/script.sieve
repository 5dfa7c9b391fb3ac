require ["include", "variables", "fileinto"];
global "who";
set "who" "main";
include "sub";
