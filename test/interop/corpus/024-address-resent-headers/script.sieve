require ["fileinto"];
if address :domain :is "resent-from" "relay.example" {
  fileinto "resent";
}
if address :localpart :is "sender" "list-owner" {
  fileinto "sender";
}
