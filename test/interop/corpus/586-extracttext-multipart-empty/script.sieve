require ["foreverypart", "extracttext", "variables", "fileinto"];
set "n" "";
foreverypart { extracttext :first 3 "t"; set "n" "${n}<${t}>"; }
fileinto "n-${n}";
