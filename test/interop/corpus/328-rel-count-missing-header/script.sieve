require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :count "eq" :comparator "i;ascii-numeric" "x-missing" "0" { fileinto "zero"; }
if header :count "eq" :comparator "i;ascii-numeric" "x-missing" "00" { fileinto "zero-zero"; }
if header :count "gt" :comparator "i;ascii-numeric" "x-missing" "0" { fileinto "gt0"; }
