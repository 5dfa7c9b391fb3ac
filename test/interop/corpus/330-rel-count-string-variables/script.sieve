require ["relational", "comparator-i;ascii-numeric", "fileinto", "variables"];
set "e" "";
if string :count "eq" :comparator "i;ascii-numeric" ["a", "${e}", "b"] "2" { fileinto "two"; }
if string :count "eq" :comparator "i;ascii-numeric" "${e}" "0" { fileinto "zero"; }
if string :value "gt" :comparator "i;ascii-numeric" ["5", "12"] "10" { fileinto "gt10"; }
