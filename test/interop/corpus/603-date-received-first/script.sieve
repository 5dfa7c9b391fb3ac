require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if date :originalzone "received" "date" "2024-01-02" { fileinto "first"; }
if date :originalzone "received" "date" "2024-01-01" { fileinto "second"; }
if date :originalzone "received" "zone" "-0500" { fileinto "zone"; }
