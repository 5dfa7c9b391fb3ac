require ["replace", "variables"];

set "sender" "postmaster at example.org";
replace :from "${sender}" "Removed.";
