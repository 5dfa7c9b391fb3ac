require ["body", "fileinto"];
if body :content "" :contains "hello world" { fileinto "all"; } else { fileinto "no"; }
