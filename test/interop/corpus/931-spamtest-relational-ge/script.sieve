require ["spamtest", "spamtestplus", "relational", "comparator-i;ascii-numeric", "fileinto"];
if spamtest :value "ge" :comparator "i;ascii-numeric" "3" { fileinto "ge3"; }
if spamtest :value "ge" :comparator "i;ascii-numeric" "6" { fileinto "ge6"; }
if spamtest :value "ge" :comparator "i;ascii-numeric" "9" { fileinto "ge9"; }
