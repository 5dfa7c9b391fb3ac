require ["fileinto", "encoded-character"];
fileinto "${hex:46 6f 6f}${unicode:20AC}";
