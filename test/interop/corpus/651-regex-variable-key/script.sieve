require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
set "k" "T[a-z]+w";
if header :regex "subject" "${k}" { fileinto "var"; }
if header :regex "subject" "${k}x" { fileinto "varx"; }
