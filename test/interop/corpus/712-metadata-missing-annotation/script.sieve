require ["mboxmetadata", "fileinto"];
if not metadata :contains "INBOX" "/private/comment" "" {
  fileinto "none";
}
