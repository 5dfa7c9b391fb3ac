require ["fileinto", "comparator-i;ascii-numeric"];
if header :comparator "i;ascii-numeric" :is "x-e" "abc" {
  fileinto "eq-text";
}
if header :comparator "i;ascii-numeric" :is "x-e" "0" {
  fileinto "eq-zero";
}
