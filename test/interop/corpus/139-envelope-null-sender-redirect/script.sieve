require ["envelope", "fileinto"];
if envelope :is "from" "" {
  redirect "postmaster@example.com";
  fileinto "Bounces";
}
