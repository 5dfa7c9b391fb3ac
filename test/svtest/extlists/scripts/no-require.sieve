if header :list "from" "tag:example.com,2010-05-28:friends" {
	keep;
}
if valid_ext_list "tag:example.com,2010-05-28:friends" {
	keep;
}
