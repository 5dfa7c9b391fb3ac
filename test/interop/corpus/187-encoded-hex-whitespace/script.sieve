require ["fileinto", "encoded-character"];
if header :is "x-a" "${hex: 41  42 }" {
  fileinto "yes";
} else {
  fileinto "no";
}
