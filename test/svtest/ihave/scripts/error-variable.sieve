require "ihave";
require "variables";

if header :matches "subject" "*" {
	set "subject" "${1}";
}
error "Cannot file \"${subject}\"";
