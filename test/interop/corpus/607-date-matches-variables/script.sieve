require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if date :matches :originalzone "date" "date" "*-*-*" { fileinto "d-${1}-${2}-${3}"; }
if date :matches :originalzone "date" "time" "2?:*" { fileinto "t-${1}-${2}"; }
