require ["mime", "fileinto"];
if header :mime :anychild :contenttype "content-type" "text/html" { fileinto "html"; }
if header :mime :anychild :contenttype "content-type" "image/png" { fileinto "png"; }
