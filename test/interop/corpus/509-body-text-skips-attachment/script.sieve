require ["body", "fileinto"];
if body :text :contains "hello world" { fileinto "attachment"; } else { fileinto "no"; }
