require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :value "GT" :comparator "i;ascii-numeric" "x-priority" "5" { fileinto "gt"; }
