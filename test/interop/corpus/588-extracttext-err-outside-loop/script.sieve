require ["foreverypart", "extracttext", "variables", "fileinto"];
extracttext "t";
