require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if date "date" "hour" "20" { fileinto "hour"; }
if date "date" "zone" "+0000" { fileinto "zone"; }
if date "received" "time" "08:04:05" { fileinto "received"; }
