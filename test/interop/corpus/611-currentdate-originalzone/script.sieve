require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if currentdate :originalzone "year" "2024" { fileinto "x"; }
