require ["include", "fileinto"];
fileinto "before";
include "loop";
