require ["fileinto"];
if header :is "subject" "a b_c" {
  fileinto "yes";
} else {
  fileinto "no";
}
