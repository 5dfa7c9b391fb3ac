require ["foreverypart", "mime", "variables", "fileinto"];
foreverypart { if header :mime :type "content-type" "text" { fileinto "text"; } if header :mime :type "content-type" "application" { fileinto "attachment"; } }
