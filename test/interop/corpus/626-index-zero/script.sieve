require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if header :index 0 "x-a" "first" { fileinto "x"; }
