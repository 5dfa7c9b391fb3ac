require "fileinto";
fileinto "g";
