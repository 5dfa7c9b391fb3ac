require "fileinto";

fileinto :copy "Archive";
