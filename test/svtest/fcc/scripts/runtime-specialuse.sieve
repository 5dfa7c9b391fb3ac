require ["vacation", "fcc", "special-use", "variables"];

set "use" "Sent";
vacation :fcc "Sent" :specialuse "${use}" "I am away.";
