require "fileinto";
if header :index 1 "x-a" "first" { fileinto "x"; }
