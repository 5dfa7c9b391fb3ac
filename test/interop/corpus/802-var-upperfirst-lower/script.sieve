require ["variables", "fileinto"];
set :upperfirst :lower "x" "hELLO wORLD";
fileinto "${x}";
