require "servermetadata";

if servermetadata "INBOX" "/shared/admin" "mailto:*" {
	keep;
}
if servermetadataexists {
	keep;
}
if servermetadata :is "/shared/admin" 1 {
	keep;
}
