require ["fileinto"];
if header "subject" "Meeting" {
  fileinto "part";
}
if header "subject" "meeting tomorrow" {
  fileinto "full";
}
