require ["fileinto"];
if exists "x-empty" {
  fileinto "yes";
} else {
  fileinto "no";
}
