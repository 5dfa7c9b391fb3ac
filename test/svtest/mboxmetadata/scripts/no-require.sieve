require "servermetadata";

if metadata "INBOX" "/private/comment" "away" {
	keep;
}
