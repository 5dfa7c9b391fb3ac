require "fileinto";
fileinto "wrong-global";
