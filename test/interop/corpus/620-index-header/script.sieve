require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if header :index 1 "x-a" "first" { fileinto "i1"; }
if header :index 2 "x-a" "second" { fileinto "i2"; }
if header :index 2 "x-a" ["first", "third"] { fileinto "i2-other"; }
if header :index 4 "x-a" ["first", "second", "third"] { fileinto "i4"; }
