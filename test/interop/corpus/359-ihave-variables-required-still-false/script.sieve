require ["ihave", "variables", "fileinto"];
set "x" "v";
if ihave "variables" { fileinto "yes-${x}"; } else { fileinto "no-${x}"; }
