require ["mime", "fileinto"];
if address :mime :anychild :domain "from" "example.net" { fileinto "inner"; } else { fileinto "no"; }
