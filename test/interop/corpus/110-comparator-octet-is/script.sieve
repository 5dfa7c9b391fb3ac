require ["fileinto"];
if header :comparator "i;octet" :is "subject" "Meeting tomorrow" {
  fileinto "same";
}
if header :comparator "i;octet" :is "subject" "meeting tomorrow" {
  fileinto "case";
}
