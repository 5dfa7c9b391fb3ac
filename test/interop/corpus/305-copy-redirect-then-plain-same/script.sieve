require ["copy", "fileinto"];
redirect :copy "carol@example.net";
redirect "carol@example.net";
