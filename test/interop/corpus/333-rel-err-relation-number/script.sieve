require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :value 5 "x-priority" "1" { keep; }
