require ["fileinto"];
if header :is "subject" "spaced out" {
  fileinto "trimmed";
}
if header :matches "subject" " *" {
  fileinto "lead";
}
if header :matches "subject" "* " {
  fileinto "trail";
}
