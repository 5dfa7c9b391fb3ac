require "fileinto";
if true { fileinto "a"; stop; }
fileinto "b";
