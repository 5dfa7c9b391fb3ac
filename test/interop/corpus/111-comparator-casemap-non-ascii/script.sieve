require ["fileinto"];
if header :is "subject" "ÉCOLE" {
  fileinto "ascii";
}
if header :is "subject" "École" {
  fileinto "same";
}
if header :is "subject" "éCOLE" {
  fileinto "folded";
}
