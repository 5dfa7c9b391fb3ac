require ["subaddress", "envelope", "fileinto"];
if envelope :user "to" "postmaster" { fileinto "inbox.postmaster"; stop; }
if envelope :detail "to" "mailinglist" { fileinto "inbox.mailinglist"; stop; }
if envelope :detail "to" "" { fileinto "inbox.empty"; stop; }
fileinto "inbox.other";
