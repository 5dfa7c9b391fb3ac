require ["include", "fileinto"];
fileinto "before";
include "nothing-here";
