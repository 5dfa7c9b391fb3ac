require ["foreverypart", "fileinto"];
foreverypart { fileinto "in"; stop; }
fileinto "after";
