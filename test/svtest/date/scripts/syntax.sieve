require "date";

# An offset that is not +hhmm / -hhmm.
if date :zone "+25" "date" "year" "2028" { }
if currentdate :zone "Europe/Amsterdam" "year" "2028" { }
# :zone and :originalzone exclude each other.
if date :zone "+0100" :originalzone "date" "year" "2028" { }
# currentdate has no original zone.
if currentdate :originalzone "year" "2028" { }
# Missing arguments.
if date "date" "year" { }
if currentdate "year" { }
# Valid: an unknown date part is no error (the test is false).
if date :zone "-0800" "date" "frop" "2028" { }
if currentdate :zone "+1400" "year" "2028" { }
