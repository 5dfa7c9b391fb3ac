require ["include", "fileinto"];
include :global "site";
fileinto "main-after";
