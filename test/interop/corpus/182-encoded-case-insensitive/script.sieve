require ["fileinto", "encoded-character"];
if header :is "x-a" "${HEX:41}${Unicode:42}" {
  fileinto "yes";
} else {
  fileinto "no";
}
