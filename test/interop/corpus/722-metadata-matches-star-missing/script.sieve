require ["mboxmetadata", "fileinto"];
if metadata :matches "INBOX" "/shared/comment" "*" {
  fileinto "found";
}
