require ["include", "fileinto"];
include :global "g";
fileinto "a";
