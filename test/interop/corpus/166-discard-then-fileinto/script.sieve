require "fileinto";
discard;
fileinto "Junk";
