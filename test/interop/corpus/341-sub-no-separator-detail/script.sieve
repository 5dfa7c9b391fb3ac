require ["subaddress", "envelope", "fileinto"];
if address :detail :matches "cc" "*" { fileinto "star"; }
if address :detail "cc" "" { fileinto "empty"; }
if address :detail :contains "cc" "" { fileinto "contains"; }
if not address :detail :matches "cc" "*" { fileinto "not-star"; }
