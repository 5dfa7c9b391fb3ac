require "comparator-i;ascii-numeric";
if header :matches :comparator "i;ascii-numeric" "x-n" "1*" { keep; }
