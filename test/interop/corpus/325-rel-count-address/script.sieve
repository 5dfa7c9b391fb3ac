require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if address :count "eq" :comparator "i;ascii-numeric" "to" "3" { fileinto "to3"; }
if address :count "eq" :comparator "i;ascii-numeric" ["to", "cc"] "4" { fileinto "tocc4"; }
if address :count "lt" :comparator "i;ascii-numeric" "from" "2" { fileinto "from-lt2"; }
if address :count "eq" :comparator "i;ascii-numeric" :domain "to" "3" { fileinto "domain3"; }
