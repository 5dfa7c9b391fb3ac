redirect "carol";
