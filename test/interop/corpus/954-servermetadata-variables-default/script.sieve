require ["servermetadata", "variables", "fileinto"];
set "v" "default";
if servermetadata :matches "/shared/comment" "*" { set "v" "${1}"; }
fileinto "v-${v}";
