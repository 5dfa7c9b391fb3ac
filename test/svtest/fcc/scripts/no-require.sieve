require "vacation";

vacation :fcc "Sent" "I am away.";
