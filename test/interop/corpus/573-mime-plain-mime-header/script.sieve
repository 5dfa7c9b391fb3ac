require ["mime", "fileinto"];
if header :mime :contains "subject" "Part" { fileinto "yes"; } else { fileinto "no"; }
