require ["foreverypart", "extracttext", "variables", "fileinto"];
foreverypart { extracttext :upper :first 5 "t"; fileinto "t-${t}"; }
