require ["ihave", "fileinto"];
if ihave "variables" { fileinto "yes"; } else { fileinto "no"; }
