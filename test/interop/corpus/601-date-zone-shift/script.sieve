require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if date :zone "+0000" "date" "date" "2024-01-01" { fileinto "utc-date"; }
if date :zone "+0000" "date" "hour" "20" { fileinto "utc-hour"; }
if date :zone "+0500" "date" "date" "2024-01-02" { fileinto "plus5-date"; }
if date :zone "+0500" "date" "weekday" "2" { fileinto "plus5-weekday"; }
if date :zone "-0930" "date" "time" "11:00:15" { fileinto "minus930"; }
