require ["servermetadata", "fileinto"];
if servermetadata :is "/shared/comment" "" { fileinto "empty"; } else { fileinto "none"; }
