require ["body", "fileinto"];
if body :contains "first part" { fileinto "yes"; } else { fileinto "no"; }
