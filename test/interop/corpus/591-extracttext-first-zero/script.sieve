require ["foreverypart", "extracttext", "variables", "fileinto"];
foreverypart { extracttext :first 0 "t"; fileinto "t-${t}-end"; }
