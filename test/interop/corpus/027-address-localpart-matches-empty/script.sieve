require ["fileinto"];
if address :localpart :matches "from" "*" {
  fileinto "from";
}
if address :localpart :matches "bcc" "*" {
  fileinto "bcc";
}
