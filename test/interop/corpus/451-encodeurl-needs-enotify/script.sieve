require ["variables"];
set :encodeurl "v" "a b";
