require ["fileinto"];
if header :is "x-long" "one two three four" {
  fileinto "yes";
} else {
  fileinto "no";
}
