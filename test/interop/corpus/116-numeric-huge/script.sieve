require ["fileinto", "comparator-i;ascii-numeric"];
if header :comparator "i;ascii-numeric" :is "x-n" "123456789012345678901234567890" {
  fileinto "same";
}
if header :comparator "i;ascii-numeric" :is "x-n" "000123456789012345678901234567890" {
  fileinto "zeros";
}
if header :comparator "i;ascii-numeric" :is "x-n" "123456789012345678901234567891" {
  fileinto "off-by-one";
}
