require "envelope";
if envelope :is "cc" "x@y.z" { keep; }
