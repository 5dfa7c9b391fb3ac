redirect "included@example.net";
