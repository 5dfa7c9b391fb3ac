require "fileinto";
if true { keep; }
if true { fileinto "Copy"; redirect "carol@example.net"; }
