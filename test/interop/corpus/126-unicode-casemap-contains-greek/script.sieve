require ["fileinto", "comparator-i;unicode-casemap"];
if header :comparator "i;unicode-casemap" :contains "subject" "ΑΛΦΑ" {
  fileinto "c";
}
if header :comparator "i;unicode-casemap" :contains "subject" "ΒΗΤΑ" {
  fileinto "n";
}
