require "fileinto";
redirect "carol@example.net";
fileinto "Z";
keep;
fileinto "A";
