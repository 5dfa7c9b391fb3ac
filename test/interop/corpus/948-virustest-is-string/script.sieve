require ["virustest", "relational", "comparator-i;ascii-numeric", "fileinto"];
if virustest "5" { fileinto "is5"; }
if virustest :matches "?" { fileinto "one-char"; }
