require ["include", "fileinto"];
fileinto "before";
include "broken";
