require ["fileinto"];
if header :is "subject" "meeting TOMORROW" {
  fileinto "full";
}
if header :is "subject" "meeting" {
  fileinto "part";
}
