require ["include", "variables", "fileinto"];
global "who";
if string :is "${who}" "main" { fileinto "seen-main"; }
