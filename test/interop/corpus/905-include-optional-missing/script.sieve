require ["include", "fileinto"];
include :optional "nothing-here";
fileinto "after";
