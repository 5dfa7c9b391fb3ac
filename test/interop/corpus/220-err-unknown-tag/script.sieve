keep;

if header :frob "subject" "x" { discard; }
