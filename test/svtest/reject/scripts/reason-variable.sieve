require ["reject", "variables"];

if header :matches "subject" "*" {
	set "subject" "${1}";
}
reject "Your message '${subject}' is not welcome here.";
