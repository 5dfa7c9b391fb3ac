require ["subaddress", "envelope", "fileinto"];
if address :detail "to" "" { fileinto "empty"; }
if address :user "to" "carol" { fileinto "carol"; }
