require ["body", "fileinto"];
if body :content "multipart" :contains "preamble" { fileinto "preamble"; }
if body :content "multipart" :contains "first part" { fileinto "child"; }
