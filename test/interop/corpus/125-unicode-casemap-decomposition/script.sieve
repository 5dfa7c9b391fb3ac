require ["fileinto", "comparator-i;unicode-casemap"];
if header :comparator "i;unicode-casemap" :is "subject" "café" {
  fileinto "eq";
}
