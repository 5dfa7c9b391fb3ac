require ["duplicate", "fileinto"];
if duplicate :handle "alerts" :seconds 3600 :last { fileinto "Duplicates"; }
