require ["fileinto", "comparator-i;ascii-numeric"];
if header :comparator "i;ascii-numeric" :is "x-n" "xyz" {
  fileinto "yes";
} else {
  fileinto "no";
}
