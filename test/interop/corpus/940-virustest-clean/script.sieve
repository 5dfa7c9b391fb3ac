require ["virustest", "relational", "comparator-i;ascii-numeric", "fileinto"];
if virustest :value "eq" :comparator "i;ascii-numeric" "0" { fileinto "v0"; }
if virustest :value "eq" :comparator "i;ascii-numeric" "1" { fileinto "v1"; }
if virustest :value "eq" :comparator "i;ascii-numeric" "2" { fileinto "v2"; }
if virustest :value "eq" :comparator "i;ascii-numeric" "3" { fileinto "v3"; }
if virustest :value "eq" :comparator "i;ascii-numeric" "4" { fileinto "v4"; }
if virustest :value "eq" :comparator "i;ascii-numeric" "5" { fileinto "v5"; }
