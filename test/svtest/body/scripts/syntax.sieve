require "body";

# Only one transform.
if body :raw :text :contains "frop" { }
# :content needs its list of types.
if body :content :contains "frop" { }
# The key list is required.
if body :raw { }
# A number is no key list.
if body :contains 12 { }
# Valid.
if body :content ["text/plain", "application"] :comparator "i;octet" :matches "*frop*" { }
