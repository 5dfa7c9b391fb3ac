require ["include", "variables"];
global "verdict";
set "verdict" "set-by-sub";
