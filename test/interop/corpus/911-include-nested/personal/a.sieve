require ["include", "fileinto"];
include "b";
fileinto "a";
