require ["fileinto", "comparator-i;ascii-numeric"];
if header :comparator "i;ascii-numeric" :is "x-n" "7" {
  fileinto "yes";
} else {
  fileinto "no";
}
