require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if address :regex :domain "from" "^example\\.(org|com)$" { fileinto "domain"; }
if address :regex :localpart "to" "^(carol|dave)$" { fileinto "local"; }
if address :regex :all "from" "@example\\.net$" { fileinto "net"; }
