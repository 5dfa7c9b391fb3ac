require "fileinto";
fileinto "a";
stop;
fileinto "b";
