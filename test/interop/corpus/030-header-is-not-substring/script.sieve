require ["fileinto"];
if header :is "subject" "Meeting" {
  fileinto "yes";
} else {
  fileinto "no";
}
