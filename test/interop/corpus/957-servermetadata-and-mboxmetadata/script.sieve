require ["servermetadata", "mboxmetadata", "fileinto"];
if anyof (servermetadataexists "/shared/comment", metadataexists "INBOX" "/private/comment") { fileinto "some"; } else { fileinto "none"; }
