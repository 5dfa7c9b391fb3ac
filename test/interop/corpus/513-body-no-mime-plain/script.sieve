require ["body", "fileinto"];
if body :content "text/plain" :contains "plain body" { fileinto "plain"; }
if body :raw :is "Plain body text.
" { fileinto "raw"; }
