require ["editheader", "fileinto", "variables"];
deleteheader :index 1 :last "X-A";
if header :is "x-a" "café" { fileinto "still"; } else { fileinto "gone"; }
