require ["duplicate", "fileinto"];
if duplicate :header "x-missing" { fileinto "Duplicates"; }
