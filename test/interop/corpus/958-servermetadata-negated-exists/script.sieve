require ["mboxmetadata", "servermetadata", "fileinto"];
if not servermetadataexists "/shared/comment" { fileinto "none"; }
if servermetadata "/shared/comment" "x" { fileinto "x"; }
