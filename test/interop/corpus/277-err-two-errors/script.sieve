keep;
frob;
discard;
if true { keep; }
fileinto "x";
