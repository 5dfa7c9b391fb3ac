require ["fileinto"];
if header :is "subject" "Meeting tomorrow " {
  fileinto "yes";
} else {
  fileinto "no";
}
