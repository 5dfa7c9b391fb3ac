require "fileinto";
fileinto "Épicerie/Ärger";
