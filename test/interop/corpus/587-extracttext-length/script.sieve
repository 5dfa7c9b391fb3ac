require ["foreverypart", "extracttext", "variables", "fileinto"];
foreverypart { extracttext :length "t"; fileinto "len-${t}"; }
