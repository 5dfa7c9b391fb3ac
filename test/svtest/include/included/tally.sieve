require ["include", "variables"];

set "global.tally" "${global.tally}+";
