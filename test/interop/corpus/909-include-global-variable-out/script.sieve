require ["include", "variables", "fileinto"];
global "verdict";
include "sub";
fileinto "v-${verdict}";
