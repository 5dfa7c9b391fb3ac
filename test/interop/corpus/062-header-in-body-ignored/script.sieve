require ["fileinto"];
if exists "x-hidden" {
  fileinto "yes";
} else {
  fileinto "no";
}
