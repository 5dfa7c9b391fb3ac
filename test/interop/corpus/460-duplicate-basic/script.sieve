require ["duplicate", "fileinto"];
if duplicate { fileinto "Duplicates"; }
