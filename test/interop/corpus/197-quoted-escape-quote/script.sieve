require ["fileinto"];
if header :is "subject" "say \"hi\"" {
  fileinto "yes";
} else {
  fileinto "no";
}
