require ["editheader", "fileinto", "variables"];
deleteheader "Received";
if exists "received" { fileinto "kept"; } else { fileinto "deleted"; }
