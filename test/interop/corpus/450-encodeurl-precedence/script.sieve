require ["enotify", "variables", "fileinto"];
set :upper :encodeurl "a" "x y";
set :length :encodeurl "b" "x y";
fileinto "${a}-${b}";
