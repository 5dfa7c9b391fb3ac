require ["fileinto"];
if header :comparator "i;octet" :contains "subject" "MEETING" {
  fileinto "yes";
} else {
  fileinto "no";
}
