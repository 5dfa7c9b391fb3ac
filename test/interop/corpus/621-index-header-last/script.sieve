require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if header :index 1 :last "x-a" "third" { fileinto "l1"; }
if header :last :index 3 "x-a" "first" { fileinto "l3"; }
if header :index 2 :last "x-a" "third" { fileinto "l2-wrong"; }
