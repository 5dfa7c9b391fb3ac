require ["special-use", "fileinto"];
if specialuse_exists "INBOX" "\\Junk" {
  fileinto "yes";
} else {
  fileinto "no";
}
