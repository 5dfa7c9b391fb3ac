require ["body", "fileinto"];
if body :raw :contains "caf=E9" { fileinto "raw"; }
if body :raw :contains "café" { fileinto "decoded"; }
