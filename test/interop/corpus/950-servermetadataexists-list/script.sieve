require ["servermetadata", "fileinto"];
if servermetadataexists ["/shared/comment", "/shared/admin"] { fileinto "exists"; } else { fileinto "none"; }
