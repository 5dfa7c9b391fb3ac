require ["enotify", "variables", "fileinto"];
set :encodeurl "v" "a b&c=d/é~-._*!";
fileinto "${v}";
