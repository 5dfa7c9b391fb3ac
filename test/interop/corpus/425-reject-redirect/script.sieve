require "reject";
reject "Not accepted.";
redirect "carol@example.com";
