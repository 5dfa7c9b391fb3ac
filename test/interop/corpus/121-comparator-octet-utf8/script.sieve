require ["fileinto"];
if header :comparator "i;octet" :is "subject" "Ünïcode" {
  fileinto "same";
}
if header :comparator "i;octet" :is "subject" "ünïcode" {
  fileinto "lower";
}
