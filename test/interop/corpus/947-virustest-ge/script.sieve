require ["virustest", "relational", "comparator-i;ascii-numeric", "fileinto"];
if virustest :value "ge" :comparator "i;ascii-numeric" "1" { fileinto "ge1"; }
if virustest :value "ge" :comparator "i;ascii-numeric" "3" { fileinto "ge3"; }
if virustest :value "ge" :comparator "i;ascii-numeric" "5" { fileinto "ge5"; }
