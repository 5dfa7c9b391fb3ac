require ["fileinto"];
if header :is "subject" "\Meeting \tomorrow" {
  fileinto "dropped";
}
if header :contains "subject" "\\" {
  fileinto "kept";
}
