require ["fileinto", "encoded-character"];
if header :is "x-a" "${hex:zz}" {
  fileinto "lit";
}
if header :is "x-b" "${hex:4}1" {
  fileinto "lit2";
}
