require "subaddress";

# Address parts belong to tests on addresses, not to header.
if header :user "to" "bob" {
	discard;
}

# RFC 5228 §2.7.4: one address part per test.
if address :user :detail "to" "bob" {
	discard;
}
