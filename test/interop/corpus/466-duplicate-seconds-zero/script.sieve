require ["duplicate", "fileinto"];
if duplicate :seconds 0 { fileinto "Duplicates"; }
