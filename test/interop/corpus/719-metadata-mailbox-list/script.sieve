require ["mboxmetadata", "fileinto"];
if metadata ["INBOX"] "/private/comment" "x" {
  fileinto "found";
}
