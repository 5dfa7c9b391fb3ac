require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :value "ge" :comparator "i;octet" "subject" "meeting" { fileinto "ge"; }
if header :value "lt" :comparator "i;octet" "subject" "meeting" { fileinto "lt"; }
if header :value "lt" :comparator "i;octet" "x-priority" "9" { fileinto "lt9"; }
if header :value "gt" :comparator "i;octet" "x-priority" "9" { fileinto "gt9"; }
