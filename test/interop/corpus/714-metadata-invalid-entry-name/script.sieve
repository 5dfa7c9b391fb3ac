require ["mboxmetadata", "fileinto"];
if metadata "INBOX" "comment" "" {
  fileinto "found";
}
