require ["fileinto"];
if header :matches "x-a" "*?" {
  fileinto "a";
}
if header :matches "x-b" "*?" {
  fileinto "b";
}
if header :matches "x-b" "?*?" {
  fileinto "c";
}
