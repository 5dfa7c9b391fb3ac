require ["fileinto", "encoded-character"];
if header :is "x-a" "${hex:24}{hex:41}" {
  fileinto "yes";
} else {
  fileinto "no";
}
