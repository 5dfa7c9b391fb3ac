require ["servermetadata", "fileinto"];
if servermetadataexists "/shared//x" { fileinto "x"; }
fileinto "done";
