require ["foreverypart", "extracttext", "variables", "fileinto"];
foreverypart { extracttext :first 5 "t"; fileinto "t-${t}"; }
