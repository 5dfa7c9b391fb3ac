require ["editheader", "copy"];
redirect :copy "carol@example.net";
addheader "X-Personal" "personal";
