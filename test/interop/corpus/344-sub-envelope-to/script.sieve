require ["subaddress", "envelope", "fileinto"];
if envelope :detail "to" "tag" { fileinto "detail"; }
if envelope :user "to" "bob" { fileinto "user"; }
if envelope :localpart "to" "bob+tag" { fileinto "localpart"; }
