require ["fileinto"];
if header :contains ["subject", "x-spam-flag"] "YES" {
  fileinto "yes";
} else {
  fileinto "no";
}
