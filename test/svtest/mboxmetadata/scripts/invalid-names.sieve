require "mboxmetadata";

if metadataexists "INBOX" "/comment" {
	discard;
}
if metadata :matches "INBOX" "/private//comment" "*" {
	discard;
}
if metadataexists "INBOX" ["/private/", "/shared/a*", "comment"] {
	discard;
}
