require ["editheader", "fileinto", "variables"];
deleteheader :is "X-A" "café";
if header :contains "x-a" "caf" { fileinto "still"; } else { fileinto "gone"; }
