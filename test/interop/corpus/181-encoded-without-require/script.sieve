require ["fileinto"];
if header :is "x-a" "${hex:41}" {
  fileinto "lit";
}
if header :is "x-a" "A" {
  fileinto "dec";
}
