require ["fileinto"];
if header :is "x-a" "a\\b" {
  fileinto "yes";
} else {
  fileinto "no";
}
