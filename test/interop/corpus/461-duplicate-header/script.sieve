require ["duplicate", "fileinto"];
if duplicate :header "x-id" { fileinto "Duplicates"; }
