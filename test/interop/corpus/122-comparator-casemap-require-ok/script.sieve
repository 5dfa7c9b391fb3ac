require ["fileinto", "comparator-i;octet", "comparator-i;ascii-casemap"];
if header :comparator "i;ascii-casemap" :is "subject" "MEETING TOMORROW" {
  fileinto "yes";
} else {
  fileinto "no";
}
