require "fileinto";
addheader "X-A" "v";
