require ["regex", "fileinto", "comparator-i;ascii-numeric"];
if header :regex :comparator "i;ascii-numeric" "subject" "4" { fileinto "x"; }
