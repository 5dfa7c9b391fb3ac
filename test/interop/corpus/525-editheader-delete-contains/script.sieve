require ["editheader", "fileinto", "variables"];
deleteheader :contains "X-A" "o";
if header :matches "x-a" "*" { fileinto "first-${1}"; }
