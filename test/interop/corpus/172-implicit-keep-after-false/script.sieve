require "fileinto";
if false { fileinto "x"; }
