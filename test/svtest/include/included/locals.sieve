require ["include", "variables"];

# A variable not declared global is this script's own.
set "seen" "[${name}]";
set "name" "inner";
global "shared";
set "shared" "${shared} and inner";
set "global.seen" "${seen}";
