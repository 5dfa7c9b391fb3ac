require ["spamtest", "spamtestplus", "relational", "comparator-i;ascii-numeric", "fileinto"];
if spamtest :percent :value "eq" :comparator "i;ascii-numeric" "0" { fileinto "v0"; }
if spamtest :percent :value "eq" :comparator "i;ascii-numeric" "1" { fileinto "v1"; }
if spamtest :percent :value "eq" :comparator "i;ascii-numeric" "10" { fileinto "v10"; }
if spamtest :percent :value "eq" :comparator "i;ascii-numeric" "25" { fileinto "v25"; }
if spamtest :percent :value "eq" :comparator "i;ascii-numeric" "50" { fileinto "v50"; }
if spamtest :percent :value "eq" :comparator "i;ascii-numeric" "60" { fileinto "v60"; }
if spamtest :percent :value "eq" :comparator "i;ascii-numeric" "70" { fileinto "v70"; }
if spamtest :percent :value "eq" :comparator "i;ascii-numeric" "75" { fileinto "v75"; }
if spamtest :percent :value "eq" :comparator "i;ascii-numeric" "80" { fileinto "v80"; }
if spamtest :percent :value "eq" :comparator "i;ascii-numeric" "90" { fileinto "v90"; }
if spamtest :percent :value "eq" :comparator "i;ascii-numeric" "100" { fileinto "v100"; }
