require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if header :index 3 :matches "x-a" "th*" { fileinto "m-${1}"; }
if header :index 2 :count "eq" :comparator "i;ascii-numeric" "x-a" "1" { fileinto "count"; }
if header :index 9 :count "eq" :comparator "i;ascii-numeric" "x-a" "0" { fileinto "count0"; }
