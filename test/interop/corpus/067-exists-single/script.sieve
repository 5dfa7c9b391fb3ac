require ["fileinto"];
if exists "subject" {
  fileinto "yes";
} else {
  fileinto "no";
}
