require "duplicate";

# A test, not a command.
duplicate;
# No positional argument.
if duplicate "frop" { }
# Each tag with a value of the wrong type.
if duplicate :header 23 { }
if duplicate :seconds "a" { }
if duplicate :handle ["a", "b"] { }
# A tag without its value.
if duplicate :uniqueid { }
# Valid.
if duplicate :handle "list" :header "list-id" :seconds 3600 :last { }
