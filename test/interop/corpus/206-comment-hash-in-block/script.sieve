require "fileinto";
if true { # open
  fileinto "yes"; # file
} # close
