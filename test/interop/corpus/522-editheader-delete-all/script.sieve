require ["editheader", "fileinto", "variables"];
deleteheader "X-A";
if not exists "x-a" { fileinto "gone"; }
