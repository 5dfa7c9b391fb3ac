require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :count "gt" :comparator "i;ascii-numeric" "x-a" "9" { fileinto "num-gt9"; }
if header :count "gt" :comparator "i;octet" "x-a" "9" { fileinto "octet-gt9"; }
if header :count "lt" :comparator "i;octet" "x-a" "9" { fileinto "octet-lt9"; }
if header :count "eq" "x-a" "10" { fileinto "casemap-eq10"; }
