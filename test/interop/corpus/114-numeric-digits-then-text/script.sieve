require ["fileinto", "comparator-i;ascii-numeric"];
if header :comparator "i;ascii-numeric" :is "x-n" "42" {
  fileinto "eq";
}
if header :comparator "i;ascii-numeric" :is "x-n" "4" {
  fileinto "neq";
}
