require ["fileinto"];
if header :contains "x-none" "" {
  fileinto "yes";
} else {
  fileinto "no";
}
