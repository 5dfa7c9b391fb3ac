require "fileinto";

frop;
fileinto :frop "x";
if header :fromp "a" "b" { keep; }
