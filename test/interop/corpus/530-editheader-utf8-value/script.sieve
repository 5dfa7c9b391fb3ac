require ["editheader", "fileinto", "variables"];
addheader "X-U" "café crème";
if header :is "x-u" "café crème" { fileinto "same"; } else { fileinto "different"; }
