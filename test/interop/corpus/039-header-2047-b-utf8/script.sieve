require ["fileinto"];
if header :is "subject" "Grüße aus Köln" {
  fileinto "yes";
} else {
  fileinto "no";
}
