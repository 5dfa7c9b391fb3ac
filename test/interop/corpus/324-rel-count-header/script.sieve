require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :count "eq" :comparator "i;ascii-numeric" "x-priority" "2" { fileinto "two"; }
if header :count "eq" :comparator "i;ascii-numeric" ["x-priority", "subject"] "3" { fileinto "three"; }
if header :count "gt" :comparator "i;ascii-numeric" "x-priority" "2" { fileinto "gt2"; }
if header :count "eq" :comparator "i;ascii-numeric" "x-empty" "1" { fileinto "empty-counts"; }
