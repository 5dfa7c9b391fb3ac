require ["variables", "fileinto"];
if header :matches "subject" "*ing*" { }
if header :matches "subject" "nomatch*" { }
fileinto "${1}";
