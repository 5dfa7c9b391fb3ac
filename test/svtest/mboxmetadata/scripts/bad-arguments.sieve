require "mboxmetadata";

if metadata "INBOX" "/private/comment" {
	keep;
}
if metadataexists "INBOX" 42 {
	keep;
}
if metadata :is ["INBOX", "Sent"] "/private/comment" "away" {
	keep;
}
