require ["subaddress", "envelope", "fileinto"];
if envelope :detail :matches "to" "*" { fileinto "star"; }
if envelope :user "to" "bob" { fileinto "user"; }
