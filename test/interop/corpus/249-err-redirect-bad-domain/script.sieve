keep;
redirect "carol@";
