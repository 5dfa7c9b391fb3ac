require "fileinto";
fileinto "b";
