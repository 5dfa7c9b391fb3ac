require "fileinto";
fileinto "from-personal";
