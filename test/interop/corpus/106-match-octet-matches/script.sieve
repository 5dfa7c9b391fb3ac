require ["fileinto"];
if header :comparator "i;octet" :matches "subject" "meeting*" {
  fileinto "a";
}
if header :comparator "i;octet" :matches "subject" "Meeting*" {
  fileinto "b";
}
