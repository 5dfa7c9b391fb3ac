if header :localpart "from" "x" { keep; }
