redirect "\"carol smith\"@example.net";
