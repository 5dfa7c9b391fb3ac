redirect "first@example.net";
stop;
redirect "second@example.net";
