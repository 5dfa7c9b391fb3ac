require ["fileinto"];
if address :all :matches "from" "*@*.org" {
  fileinto "a";
}
if address :all :matches "from" "a?ice@*" {
  fileinto "b";
}
if address :all :matches "from" "*@*.com" {
  fileinto "c";
}
