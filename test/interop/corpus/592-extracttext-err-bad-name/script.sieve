require ["foreverypart", "extracttext", "variables", "fileinto"];
foreverypart { extracttext "a-b"; }
