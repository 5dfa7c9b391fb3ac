require ["mime", "fileinto"];
if header :mime :anychild "subject" "inner subject" { fileinto "inner"; }
if header :mime "subject" "inner subject" { fileinto "top"; }
