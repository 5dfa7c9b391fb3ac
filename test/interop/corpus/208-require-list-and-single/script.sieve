require "fileinto";
require ["envelope"];
if envelope :is "from" "sender@example.net" { fileinto "yes"; }
