require ["copy", "fileinto"];
redirect :copy "carol@example.net";
