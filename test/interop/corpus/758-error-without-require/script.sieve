require "fileinto";
error "bad";
