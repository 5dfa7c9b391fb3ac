require ["fileinto"];
if header :is "x-url" "http://example.org/a:b" {
  fileinto "yes";
} else {
  fileinto "no";
}
