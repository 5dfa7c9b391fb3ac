require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :value "ge" "subject" "meeting" { fileinto "ge"; }
if header :value "lt" "subject" "MEETING U" { fileinto "lt"; }
if header :value "gt" "subject" "meeting tomorrow" { fileinto "gt"; }
if header :value "eq" "subject" "MEETING TOMORROW" { fileinto "eq"; }
