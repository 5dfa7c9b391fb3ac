require ["foreverypart", "mime", "variables", "fileinto"];
set "n" "";
foreverypart { set "n" "${n}|"; foreverypart { set "n" "${n}x"; } }
fileinto "n-${n}";
