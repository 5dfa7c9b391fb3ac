require ["servermetadata", "relational", "comparator-i;ascii-numeric", "fileinto"];
if servermetadata :count "eq" :comparator "i;ascii-numeric" "/shared/comment" "0" { fileinto "zero"; }
if servermetadata :count "eq" :comparator "i;ascii-numeric" "/shared/comment" "1" { fileinto "one"; }
