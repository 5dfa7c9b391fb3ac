require ["variables", "fileinto"];
set "a" "xyz";
if string :contains ["abc", "${a}"] "y" { fileinto "found"; }
