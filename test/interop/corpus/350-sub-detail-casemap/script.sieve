require ["subaddress", "envelope", "fileinto"];
if address :detail "from" "LISTS" { fileinto "casemap"; }
if address :detail :comparator "i;octet" "from" "LISTS" { fileinto "octet"; }
