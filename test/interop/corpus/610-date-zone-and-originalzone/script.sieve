require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if date :zone "+0100" :originalzone "date" "year" "2024" { fileinto "x"; }
