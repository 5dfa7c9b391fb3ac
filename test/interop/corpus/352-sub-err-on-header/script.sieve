require ["subaddress", "envelope", "fileinto"];
if header :detail "to" "x" { keep; }
