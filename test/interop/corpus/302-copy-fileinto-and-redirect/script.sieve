require ["copy", "fileinto"];
fileinto :copy "Archive";
redirect :copy "carol@example.net";
