require ["fileinto", "encoded-character"];
if header :is "subject" "caf${unicode:e9}" {
  fileinto "yes";
} else {
  fileinto "no";
}
