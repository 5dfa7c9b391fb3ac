require ["environment", "fileinto", "relational", "comparator-i;ascii-numeric"];
if environment :count "eq" :comparator "i;ascii-numeric" "name" "1" {
  fileinto "one";
}
