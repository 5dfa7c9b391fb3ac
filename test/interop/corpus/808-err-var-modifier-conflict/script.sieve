require ["variables", "fileinto"];
set :lower :upper "x" "y";
