require "fileinto";
fileinto :flags "\\Seen" "One";
