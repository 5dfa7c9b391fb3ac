require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if date :contains "date" "fortnight" "" { fileinto "x"; }
if date :contains "date" "year" "" { fileinto "y"; }
