require ["foreverypart", "variables", "fileinto"];
set "n" "";
foreverypart :name "outer" { set "n" "${n}o"; foreverypart { set "n" "${n}i"; break; } }
fileinto "n-${n}";
