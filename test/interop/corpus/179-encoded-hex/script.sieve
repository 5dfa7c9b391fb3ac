require ["fileinto", "encoded-character"];
if header :is "subject" "${hex:4D 65 65 74 69 6E 67} tomorrow" {
  fileinto "yes";
} else {
  fileinto "no";
}
