# header
/* block */
require "fileinto";
fileinto "yes";
