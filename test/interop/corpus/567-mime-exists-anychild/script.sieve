require ["mime", "fileinto"];
if exists :mime :anychild "content-disposition" { fileinto "any"; }
if exists :mime "content-disposition" { fileinto "top"; }
