require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if date :index 1 :originalzone "received" "hour" "03" { fileinto "r1"; }
if date :index 2 :originalzone "received" "hour" "21" { fileinto "r2"; }
if date :index 1 :last :originalzone "received" "day" "01" { fileinto "rlast"; }
if date :index 3 :originalzone "received" "year" "2024" { fileinto "r3"; }
