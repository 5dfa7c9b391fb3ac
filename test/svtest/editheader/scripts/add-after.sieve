require "editheader";
if header :is "x-personal" "personal" {
	addheader :last "X-After" "after";
}
