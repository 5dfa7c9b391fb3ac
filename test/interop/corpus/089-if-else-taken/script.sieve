require "fileinto";
if false { fileinto "a"; } elsif exists "x-none" { fileinto "b"; } else { fileinto "c"; }
