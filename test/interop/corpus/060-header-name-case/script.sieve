require ["fileinto"];
if header :is "SuBjEcT" "Meeting tomorrow" {
  fileinto "yes";
} else {
  fileinto "no";
}
