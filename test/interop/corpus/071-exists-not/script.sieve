require ["fileinto"];
if not exists "x-missing" {
  fileinto "yes";
} else {
  fileinto "no";
}
