require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if date :originalzone "date" "iso8601" "2024-01-01T22:30:15+02:00" { fileinto "iso-orig"; }
if date :zone "+0000" "date" "iso8601" "2024-01-01T20:30:15Z" { fileinto "iso-utc"; }
if date :originalzone "date" "std11" "Mon, 01 Jan 2024 22:30:15 +0200" { fileinto "std11"; }
if date :zone "-0500" "date" "std11" "Mon, 01 Jan 2024 15:30:15 -0500" { fileinto "std11-shift"; }
