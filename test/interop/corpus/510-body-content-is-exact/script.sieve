require ["body", "fileinto"];
if body :content "text/plain" :is "first part" { fileinto "exact"; }
if body :content "text/plain" :is "first part
" { fileinto "crlf"; }
