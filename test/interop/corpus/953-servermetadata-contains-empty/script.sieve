require ["servermetadata", "fileinto"];
if servermetadata :contains "/private/vendor/x" "" { fileinto "contains"; }
fileinto "done";
