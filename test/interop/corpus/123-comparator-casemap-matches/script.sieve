require ["fileinto"];
if header :comparator "i;ascii-casemap" :matches "subject" "m*G T*W" {
  fileinto "yes";
} else {
  fileinto "no";
}
