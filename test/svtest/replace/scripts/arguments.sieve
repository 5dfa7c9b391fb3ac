require "replace";

# :from must be a valid address.
replace :from "not an address" "Removed.";
# :subject is a string.
replace :subject 1 "Removed.";
# The replacement is required.
replace :mime;
# Valid.
replace :mime :subject "Removed" :from "Postmaster <postmaster@example.org>" "Content-Type: text/plain

Removed.
";
