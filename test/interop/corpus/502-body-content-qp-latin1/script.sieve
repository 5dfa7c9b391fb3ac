require ["body", "fileinto"];
if body :content "text" :contains "café inner" { fileinto "yes"; } else { fileinto "no"; }
