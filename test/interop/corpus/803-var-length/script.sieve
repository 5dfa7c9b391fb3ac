require ["variables", "fileinto"];
set :length "n" "abcdef";
if string :is "${n}" "6" { fileinto "six"; }
