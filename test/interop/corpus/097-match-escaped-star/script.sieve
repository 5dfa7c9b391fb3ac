require ["fileinto"];
if header :matches "x-a" "5 \\* 3" {
  fileinto "lit";
}
if header :matches "x-b" "5 \\* 3" {
  fileinto "lit-b";
}
