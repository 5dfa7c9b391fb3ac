require "fileinto";
if header :regex "subject" "x" { fileinto "x"; }
