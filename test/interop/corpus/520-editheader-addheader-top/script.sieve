require ["editheader", "fileinto", "variables"];
addheader "X-A" "zero";
if header :matches "x-a" "*" { fileinto "first-${1}"; }
