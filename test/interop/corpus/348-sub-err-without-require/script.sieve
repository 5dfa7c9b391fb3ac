require "fileinto";
if address :user "to" "bob" { keep; }
