require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if date :originalzone "x-old-date" "date" "1999-07-05" { fileinto "year99"; }
if date :originalzone "x-old-date" "zone" "-0700" { fileinto "pdt"; }
if date :originalzone "x-old-date" "second" "00" { fileinto "noseconds"; }
if date :index 2 :originalzone "received" "zone" "-0500" { fileinto "est"; }
if date :index 2 :originalzone "received" "year" "2024" { fileinto "year24"; }
