require ["mboxmetadata", "fileinto", "relational", "comparator-i;ascii-numeric"];
if metadata :count "eq" :comparator "i;ascii-numeric" "INBOX" "/private/comment" "0" {
  fileinto "zero";
}
