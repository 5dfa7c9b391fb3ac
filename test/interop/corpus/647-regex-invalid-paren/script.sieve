require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if header :regex "subject" "(Re" { fileinto "x"; }
