require ["fileinto"];
if header :contains "from" "Jörg" {
  fileinto "yes";
} else {
  fileinto "no";
}
