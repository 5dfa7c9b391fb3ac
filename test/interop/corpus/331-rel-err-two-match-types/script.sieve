require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :count "eq" :is "to" "1" { keep; }
