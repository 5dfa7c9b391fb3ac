require "fileinto";
if true { keep; }
require "envelope";
