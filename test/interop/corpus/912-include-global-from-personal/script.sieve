require ["include", "fileinto"];
include :personal "a";
