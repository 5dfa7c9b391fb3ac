require ["body", "fileinto", "variables"];
if body :content "text/plain" :matches "first *" { fileinto "w-${1}"; }
