require "fileinto";
if header :mime "subject" "x" { fileinto "x"; }
