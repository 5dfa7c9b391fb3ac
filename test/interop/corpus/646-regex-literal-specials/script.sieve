require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if header :regex "x-path" "a\\.b\\|c\\(d\\)\\*" { fileinto "escaped"; }
if header :regex "x-path" "a.b" { fileinto "dot"; }
if header :regex "x-path" "[.][|]" { fileinto "bracket"; }
