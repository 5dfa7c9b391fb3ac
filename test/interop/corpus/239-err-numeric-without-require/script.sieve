if header :comparator "i;ascii-numeric" :is "x-n" "1" { keep; }
