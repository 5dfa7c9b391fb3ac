require ["fileinto", "encoded-character"];
fileinto "${unicode:D800}";
