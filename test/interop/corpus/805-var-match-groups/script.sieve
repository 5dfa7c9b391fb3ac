require ["variables", "fileinto"];
if header :matches "subject" "* tomorrow *" { fileinto "${1}-${2}"; }
