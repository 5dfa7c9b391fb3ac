if envelope :is "from" "x@y.z" { discard; }
