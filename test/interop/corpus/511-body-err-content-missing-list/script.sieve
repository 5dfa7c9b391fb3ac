require ["body", "fileinto"];
if body :content :contains "x" { fileinto "x"; }
