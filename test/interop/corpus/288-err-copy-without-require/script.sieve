redirect :copy "carol@example.net";
