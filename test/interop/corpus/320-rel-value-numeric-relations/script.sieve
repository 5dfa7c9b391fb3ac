require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :value "gt" :comparator "i;ascii-numeric" "x-priority" "5" { fileinto "gt5"; }
if header :value "gt" :comparator "i;ascii-numeric" "x-priority" "10" { fileinto "gt10"; }
if header :value "ge" :comparator "i;ascii-numeric" "x-priority" "10" { fileinto "ge10"; }
if header :value "lt" :comparator "i;ascii-numeric" "x-priority" "3" { fileinto "lt3"; }
if header :value "le" :comparator "i;ascii-numeric" "x-priority" "3" { fileinto "le3"; }
if header :value "eq" :comparator "i;ascii-numeric" "x-priority" "003" { fileinto "eq003"; }
if header :value "ne" :comparator "i;ascii-numeric" "x-priority" "3" { fileinto "ne3"; }
if header :value "eq" :comparator "i;ascii-numeric" "x-priority" "4" { fileinto "eq4"; }
