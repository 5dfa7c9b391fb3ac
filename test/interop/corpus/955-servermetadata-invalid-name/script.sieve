require ["servermetadata", "fileinto"];
if servermetadata :is "comment" "x" { fileinto "x"; }
fileinto "done";
