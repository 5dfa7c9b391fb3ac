if address :is "fr om" "x@y.z" { keep; }
