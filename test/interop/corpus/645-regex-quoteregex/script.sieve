require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
set :quoteregex "p" "a.b|c(d)*";
if header :regex "x-path" "^${p}$" { fileinto "quoted"; }
if header :regex "x-path" "^a.b|c(d)*$" { fileinto "raw"; }
if string "${p}" "a\\.b\\|c\\(d\\)\\*" { fileinto "escaped"; }
