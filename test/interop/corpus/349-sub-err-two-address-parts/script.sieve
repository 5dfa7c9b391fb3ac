require ["subaddress", "envelope", "fileinto"];
if address :user :domain "to" "bob" { keep; }
