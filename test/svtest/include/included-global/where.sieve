require ["include", "variables"];

set "global.where" "global";
