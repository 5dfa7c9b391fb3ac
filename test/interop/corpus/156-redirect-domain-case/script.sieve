redirect "carol@example.net";
redirect "carol@EXAMPLE.NET";
