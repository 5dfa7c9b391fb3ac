require ["reject", "fileinto"];
if header :contains "subject" "spam" {
  reject "No spam.";
} else {
  fileinto "Inbox.Work";
}
