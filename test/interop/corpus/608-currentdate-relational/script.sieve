require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if currentdate :value "ge" "year" "2024" { fileinto "year-ge"; }
if currentdate :value "lt" "date" "2200-01-01" { fileinto "date-lt"; }
if currentdate :zone "+0000" "zone" "+0000" { fileinto "zone"; }
if currentdate :matches "iso8601" "????-??-??T??:??:??*" { fileinto "iso"; }
