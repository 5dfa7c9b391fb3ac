require ["subaddress", "envelope", "fileinto"];
if envelope :detail "from" "bounce" { fileinto "detail"; }
if envelope :user "from" "sender" { fileinto "user"; }
