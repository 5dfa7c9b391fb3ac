require ["mboxmetadata", "fileinto"];
if metadataexists "INBOX" ["/private/comment", "/shared/comment"] { fileinto "yes"; } else { fileinto "no"; }
