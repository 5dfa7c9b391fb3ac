require "comparator-i;ascii-numeric";
if header :contains :comparator "i;ascii-numeric" "x-n" "1" { keep; }
