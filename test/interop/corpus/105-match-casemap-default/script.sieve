require ["fileinto"];
if header :matches "subject" "MEETING*" {
  fileinto "yes";
} else {
  fileinto "no";
}
