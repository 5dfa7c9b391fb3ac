require "fileinto";

fileinto "Missing";
