require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if date :originalzone "date" "year" "2024" { fileinto "year"; }
if date :originalzone "date" "month" "01" { fileinto "month"; }
if date :originalzone "date" "day" "01" { fileinto "day"; }
if date :originalzone "date" "date" "2024-01-01" { fileinto "date"; }
if date :originalzone "date" "hour" "22" { fileinto "hour"; }
if date :originalzone "date" "minute" "30" { fileinto "minute"; }
if date :originalzone "date" "second" "15" { fileinto "second"; }
if date :originalzone "date" "time" "22:30:15" { fileinto "time"; }
if date :originalzone "date" "zone" "+0200" { fileinto "zone"; }
if date :originalzone "date" "weekday" "1" { fileinto "weekday"; }
if date :originalzone "date" "julian" "60310" { fileinto "julian"; }
