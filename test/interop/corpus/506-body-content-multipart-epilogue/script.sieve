require ["body", "fileinto"];
if body :content "multipart/mixed" :contains "epilogue" { fileinto "epilogue"; } else { fileinto "no"; }
