require ["fileinto"];
if header :is "x-tag" "first" {
  fileinto "first";
}
if header :is "x-tag" "second" {
  fileinto "second";
}
if header :is "x-tag" "first, second" {
  fileinto "both";
}
