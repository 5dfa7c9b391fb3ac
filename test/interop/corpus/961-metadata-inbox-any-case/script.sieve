require ["mboxmetadata", "fileinto"];
if metadata :matches "inbox" "/private/comment" "*" { fileinto "yes"; } else { fileinto "no"; }
