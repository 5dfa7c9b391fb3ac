require "fileinto";

fileinto;
