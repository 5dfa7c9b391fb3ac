require "fileinto";
if false { } else { if true { fileinto "a"; stop; } }
fileinto "b";
