require ["ihave", "fileinto"];
if ihave ["fileinto", "encoded-character"] { fileinto "yes"; } else { fileinto "no"; }
