require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if header :index 4 :contains ["x-a", "subject"] "Meeting" { fileinto "subject"; }
if header :index 1 :contains ["subject", "x-a"] "list" { fileinto "first"; }
if header :index 2 :contains ["subject", "x-a"] "first" { fileinto "second"; }
