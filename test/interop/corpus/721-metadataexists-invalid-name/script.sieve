require ["mboxmetadata", "fileinto"];
if metadataexists "INBOX" "/private/" {
  fileinto "found";
} else {
  fileinto "notfound";
}
