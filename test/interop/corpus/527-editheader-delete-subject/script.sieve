require ["editheader", "fileinto", "variables"];
deleteheader "subject";
if exists "subject" { fileinto "kept"; } else { fileinto "deleted"; }
