require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if header :regex "subject" "meeting tomorrow" { fileinto "casemap"; }
if header :regex :comparator "i;octet" "subject" "meeting tomorrow" { fileinto "octet-lower"; }
if header :regex :comparator "i;octet" "subject" "Meeting Tomorrow" { fileinto "octet-exact"; }
if header :regex "subject" "[a-m]EETING" { fileinto "range"; }
