require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if date :value "ge" :originalzone "date" "date" "2023-12-31" { fileinto "ge"; }
if date :value "lt" :originalzone "date" "hour" "10" { fileinto "lt"; }
if date :count "eq" :comparator "i;ascii-numeric" "date" "year" "1" { fileinto "count1"; }
if date :count "eq" :comparator "i;ascii-numeric" "x-bad-date" "year" "0" { fileinto "count0"; }
