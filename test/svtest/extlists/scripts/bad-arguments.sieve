require "extlists";

if valid_ext_list 5 {
	keep;
}
if header :is :list "from" "tag:example.com,2010-05-28:friends" {
	keep;
}
if valid_ext_list :list "tag:example.com,2010-05-28:friends" {
	keep;
}
