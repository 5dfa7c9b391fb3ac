require ["variables", "fileinto"];
set "h" "x-folder";
if header :is "${h}" "Projects" { fileinto "by-var"; }
