require ["index", "envelope"];

# :last only changes how :index counts.
if header :last "received" "frop" { }
# Fields are numbered from 1.
if address :index 0 "to" "frop@example.org" { }
# The field number is a number.
if header :index "2" "received" "frop" { }
# Only header, address and date take :index.
if exists :index 1 "received" { }
if envelope :index 1 "from" "frop@example.org" { }
# Valid: a number beyond the fields is no error (the test is false).
if header :index 444 :last "received" "frop" { }
