require ["spamtest", "spamtestplus", "relational", "comparator-i;ascii-numeric", "fileinto"];
if spamtest :value "eq" :comparator "i;ascii-numeric" "0" { fileinto "v0"; }
if spamtest :value "eq" :comparator "i;ascii-numeric" "1" { fileinto "v1"; }
if spamtest :value "eq" :comparator "i;ascii-numeric" "2" { fileinto "v2"; }
if spamtest :value "eq" :comparator "i;ascii-numeric" "3" { fileinto "v3"; }
if spamtest :value "eq" :comparator "i;ascii-numeric" "4" { fileinto "v4"; }
if spamtest :value "eq" :comparator "i;ascii-numeric" "5" { fileinto "v5"; }
if spamtest :value "eq" :comparator "i;ascii-numeric" "6" { fileinto "v6"; }
if spamtest :value "eq" :comparator "i;ascii-numeric" "7" { fileinto "v7"; }
if spamtest :value "eq" :comparator "i;ascii-numeric" "8" { fileinto "v8"; }
if spamtest :value "eq" :comparator "i;ascii-numeric" "9" { fileinto "v9"; }
if spamtest :value "eq" :comparator "i;ascii-numeric" "10" { fileinto "v10"; }
