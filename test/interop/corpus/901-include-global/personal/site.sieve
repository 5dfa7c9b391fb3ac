require "fileinto";
fileinto "wrong-personal";
