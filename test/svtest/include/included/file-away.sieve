require "fileinto";

fileinto "Away";
