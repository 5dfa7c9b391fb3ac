require ["editheader", "fileinto", "variables"];
deleteheader "auto-submitted";
if exists "auto-submitted" { fileinto "kept"; } else { fileinto "deleted"; }
