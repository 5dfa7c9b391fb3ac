require ["vacation", "fileinto"];
if header :contains "subject" "meeting" {
  vacation "Away.";
  fileinto "Meetings";
}
