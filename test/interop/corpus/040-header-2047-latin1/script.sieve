require ["fileinto"];
if header :is "subject" "Café" {
  fileinto "yes";
} else {
  fileinto "no";
}
