require ["fileinto", "envelope"];
if envelope :localpart :comparator "i;octet" :is "from" "Sender" {
  fileinto "exact";
}
if envelope :localpart :comparator "i;octet" :is "from" "sender" {
  fileinto "lower";
}
