require ["fileinto", "encoded-character"];
if header :is "x-a" "${hex:}x" {
  fileinto "lit";
}
if header :is "x-a" "x" {
  fileinto "gone";
}
