require ["fileinto"];
if address :is ["to", "cc"] "carol@z.org" {
  fileinto "yes";
} else {
  fileinto "no";
}
