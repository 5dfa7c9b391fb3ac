require ["environment", "fileinto", "relational", "comparator-i;ascii-numeric"];
if environment :count "eq" :comparator "i;ascii-numeric" "remote-host" "0" {
  fileinto "zero";
}
