require "fileinto";
fileinto "Lists";
fileinto "Lists";
