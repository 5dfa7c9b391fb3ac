require "fileinto";
fileinto :create "Lists/new";
