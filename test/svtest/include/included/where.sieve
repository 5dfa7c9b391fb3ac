require ["include", "variables"];

set "global.where" "personal";
