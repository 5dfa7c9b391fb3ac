require ["subaddress", "fileinto", "variables"];
if address :detail :matches "to" "*" { fileinto "d-[${1}]"; }
if address :detail :matches "to" "?*" { fileinto "d2-${1}${2}"; }
