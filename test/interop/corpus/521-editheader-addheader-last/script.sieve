require ["editheader", "fileinto", "variables"];
addheader :last "X-A" "four";
if header :matches "x-a" "*" { fileinto "first-${1}"; }
if header :is "x-a" "four" { fileinto "added"; }
