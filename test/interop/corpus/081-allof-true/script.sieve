require ["fileinto"];
if allof (exists "from", header :contains "subject" "meeting") {
  fileinto "yes";
} else {
  fileinto "no";
}
