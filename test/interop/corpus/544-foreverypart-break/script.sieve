require ["foreverypart", "variables", "fileinto"];
set "n" "";
foreverypart { set "n" "${n}x"; break; }
fileinto "n-${n}";
