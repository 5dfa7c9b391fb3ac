if header :is "x bad" "x" { discard; }
