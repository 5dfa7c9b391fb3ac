require ["mime", "fileinto"];
if header :mime :contenttype "content-type" "multipart/mixed" { fileinto "yes"; }
if header :mime :contenttype "content-type" "multipart" { fileinto "type-only"; }
