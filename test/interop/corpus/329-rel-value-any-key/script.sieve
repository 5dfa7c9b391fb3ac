require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :value "eq" :comparator "i;ascii-numeric" "x-priority" ["7", "10"] { fileinto "eq-any"; }
if header :value "ne" :comparator "i;ascii-numeric" "x-priority" ["3", "10"] { fileinto "ne-any"; }
if header :value "lt" :comparator "i;ascii-numeric" "x-priority" ["1", "2"] { fileinto "lt-none"; }
