require "fileinto";
if false { fileinto "a"; }
elsif header :contains "subject" "meeting" { fileinto "b"; }
elsif true { fileinto "c"; }
else { fileinto "d"; }
