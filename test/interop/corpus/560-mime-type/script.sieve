require ["mime", "fileinto"];
if header :mime :type "content-type" "multipart" { fileinto "multipart"; } else { fileinto "no"; }
