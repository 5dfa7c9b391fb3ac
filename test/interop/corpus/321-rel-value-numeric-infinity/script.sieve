require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :value "gt" :comparator "i;ascii-numeric" "subject" "99999" { fileinto "gt"; }
if header :value "lt" :comparator "i;ascii-numeric" "subject" "99999" { fileinto "lt"; }
if header :value "eq" :comparator "i;ascii-numeric" "subject" "abc" { fileinto "eq-inf"; }
if header :value "ge" :comparator "i;ascii-numeric" "x-priority" "abc" { fileinto "ge-inf"; }
