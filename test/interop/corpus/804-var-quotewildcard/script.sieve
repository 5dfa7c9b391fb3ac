require ["variables", "fileinto"];
set :quotewildcard "k" "Meeting*";
if header :matches "subject" "${k}" { fileinto "wild"; } else { fileinto "literal"; }
