require ["fileinto", "comparator-i;ascii-numeric"];
if address :localpart :comparator "i;ascii-numeric" :is "from" "0123" {
  fileinto "yes";
} else {
  fileinto "no";
}
