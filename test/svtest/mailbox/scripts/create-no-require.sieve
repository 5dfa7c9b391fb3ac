require "fileinto";

fileinto :create "Lists";
