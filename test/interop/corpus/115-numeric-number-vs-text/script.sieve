require ["fileinto", "comparator-i;ascii-numeric"];
if header :comparator "i;ascii-numeric" :is "x-n" "abc" {
  fileinto "a";
}
if header :comparator "i;ascii-numeric" :is "x-t" "5" {
  fileinto "b";
}
