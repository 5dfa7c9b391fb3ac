require ["include", "variables"];

global ["fine", "not-a-name", "1st"];
