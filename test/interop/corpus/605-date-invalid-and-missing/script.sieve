require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if date :contains "x-bad-date" "year" "" { fileinto "bad"; }
if date :contains "x-none" "year" "" { fileinto "missing"; }
if date :contains "subject" "year" "" { fileinto "subject"; }
if date :contains "date" "year" "" { fileinto "good"; }
