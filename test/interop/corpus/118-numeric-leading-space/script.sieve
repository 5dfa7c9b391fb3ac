require ["fileinto", "comparator-i;ascii-numeric"];
if header :comparator "i;ascii-numeric" :is "x-n" "5" {
  fileinto "five";
}
if header :comparator "i;ascii-numeric" :is "x-n" "x" {
  fileinto "text";
}
