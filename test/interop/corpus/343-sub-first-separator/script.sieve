require ["subaddress", "envelope", "fileinto"];
if address :detail "to" "x+y" { fileinto "x+y"; }
if address :detail "to" "y" { fileinto "y"; }
if address :user "to" "dave+x" { fileinto "dave+x"; }
if address :user "to" "dave" { fileinto "dave"; }
