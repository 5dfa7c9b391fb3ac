require ["fileinto"];
if header :is "subject" "Café crème" {
  fileinto "yes";
} else {
  fileinto "no";
}
