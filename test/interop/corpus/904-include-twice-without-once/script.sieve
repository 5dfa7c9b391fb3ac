require ["include", "variables", "fileinto"];
global "n";
include "count";
include "count";
if string :is "${n}" "x" { fileinto "once"; }
if string :is "${n}" "xx" { fileinto "twice"; }
