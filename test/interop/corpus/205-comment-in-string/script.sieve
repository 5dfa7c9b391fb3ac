require ["fileinto"];
if header :is "x-a" "/* not */ # either" {
  fileinto "yes";
} else {
  fileinto "no";
}
