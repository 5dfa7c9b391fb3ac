require ["fileinto"];
if header :is "subject" ["a", "b", "Meeting tomorrow"] {
  fileinto "yes";
} else {
  fileinto "no";
}
