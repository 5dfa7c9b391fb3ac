require ["relational", "comparator-i;ascii-numeric", "fileinto", "envelope"];
if envelope :count "eq" :comparator "i;ascii-numeric" ["from", "to"] "2" { fileinto "two"; }
if envelope :count "eq" :comparator "i;ascii-numeric" "to" "1" { fileinto "one"; }
if envelope :count "ge" :comparator "i;ascii-numeric" "to" "2" { fileinto "ge2"; }
