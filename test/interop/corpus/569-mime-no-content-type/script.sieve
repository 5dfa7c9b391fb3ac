require ["mime", "fileinto"];
if header :mime :contenttype "content-type" "text/plain" { fileinto "default"; } else { fileinto "none"; }
