require ["mime", "fileinto"];
if header :mime :subtype "content-type" "mixed" { fileinto "mixed"; } else { fileinto "no"; }
