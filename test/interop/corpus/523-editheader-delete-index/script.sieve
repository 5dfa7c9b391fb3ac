require ["editheader", "fileinto", "variables"];
deleteheader :index 1 "X-A";
if header :matches "x-a" "*" { fileinto "first-${1}"; }
