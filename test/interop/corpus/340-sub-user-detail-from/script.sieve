require ["subaddress", "envelope", "fileinto"];
if address :user "from" "alice" { fileinto "user"; }
if address :detail "from" "lists" { fileinto "detail"; }
if address :localpart "from" "alice+lists" { fileinto "localpart"; }
if address :user "from" "alice+lists" { fileinto "user-whole"; }
