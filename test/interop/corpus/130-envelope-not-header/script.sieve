require ["fileinto", "envelope"];
if envelope :is "from" "bounce@mailer.example" {
  fileinto "env";
}
if envelope :is "from" "alice@example.org" {
  fileinto "hdr";
}
