require ["body", "fileinto"];
if body :content "application/octet-stream" :is "hello world" { fileinto "yes"; } else { fileinto "no"; }
