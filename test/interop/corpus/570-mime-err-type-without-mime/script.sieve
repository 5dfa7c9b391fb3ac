require ["mime", "fileinto"];
if header :type "content-type" "text" { fileinto "x"; }
