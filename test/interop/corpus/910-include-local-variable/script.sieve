require ["include", "variables", "fileinto"];
set "local" "main";
include "sub";
