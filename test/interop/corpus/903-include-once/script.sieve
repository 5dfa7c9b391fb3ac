require ["include", "variables", "fileinto"];
global "n";
include :once "count";
include :once "count";
if string :is "${n}" "x" { fileinto "once"; }
if string :is "${n}" "xx" { fileinto "twice"; }
