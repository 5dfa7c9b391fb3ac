require ["fileinto"];
if header :matches "x-a" "why\\?" {
  fileinto "lit";
}
if header :matches "x-b" "why\\?" {
  fileinto "lit-b";
}
