require ["spamtest", "spamtestplus", "relational", "comparator-i;ascii-numeric", "fileinto"];
if spamtest "7" { fileinto "is7"; }
if spamtest :contains "" { fileinto "any"; }
