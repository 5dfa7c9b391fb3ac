require ["foreverypart", "variables", "fileinto"];
set "n" "";
foreverypart { set "n" "${n}x"; }
fileinto "n-${n}";
