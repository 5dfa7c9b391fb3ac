require "fileinto";
if header :value "gt" "x-priority" "1" { keep; }
