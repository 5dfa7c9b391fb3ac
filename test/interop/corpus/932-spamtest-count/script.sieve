require ["spamtest", "spamtestplus", "relational", "comparator-i;ascii-numeric", "fileinto"];
if spamtest :count "eq" :comparator "i;ascii-numeric" "1" { fileinto "one"; }
if spamtest :count "eq" :comparator "i;ascii-numeric" "0" { fileinto "none"; }
