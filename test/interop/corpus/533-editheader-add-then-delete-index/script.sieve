require ["editheader", "fileinto", "variables"];
addheader "X-A" "zero";
deleteheader :index 2 "X-A";
if header :matches "x-a" "*" { fileinto "first-${1}"; }
if header :is "x-a" "one" { fileinto "one"; } else { fileinto "no-one"; }
