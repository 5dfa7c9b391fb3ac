require "enclose";

# :subject is a string; :headers a string list.
enclose :subject ["a", "b"] "Text.";
enclose :headers 5 "Text.";
# The text is required.
enclose :subject "Suspicious";
# Unknown tag.
enclose :from "postmaster@example.org" "Text.";
# Valid.
enclose :subject "Suspicious" :headers ["from", "to"] "Text.";
