require ["copy", "fileinto"];
if header :contains "subject" "meeting" {
  fileinto :copy "Meetings";
} else {
  fileinto "Other";
}
if header :contains "subject" "nothing" {
  redirect :copy "x@example.net";
}
