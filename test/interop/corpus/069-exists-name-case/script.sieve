require ["fileinto"];
if exists "MESSAGE-id" {
  fileinto "yes";
} else {
  fileinto "no";
}
