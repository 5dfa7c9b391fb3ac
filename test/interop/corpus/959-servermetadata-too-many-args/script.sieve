require ["servermetadata", "fileinto"];
if servermetadata "/shared/comment" "x" "y" { fileinto "x"; }
