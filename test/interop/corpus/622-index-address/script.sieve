require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if address :localpart :index 1 "to" "bob" { fileinto "a1"; }
if address :localpart :index 2 "to" "dave" { fileinto "a2-dave"; }
if address :localpart :index 2 "to" "bob" { fileinto "a2-bob"; }
if address :domain :index 1 :last "to" "example.net" { fileinto "last"; }
