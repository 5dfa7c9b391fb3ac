require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if address :value "lt" :localpart "to" "c" { fileinto "lt-c"; }
if address :value "gt" :localpart "to" "dave+x" { fileinto "gt-dave"; }
if address :value "gt" :domain "cc" "example.com" { fileinto "gt-domain"; }
