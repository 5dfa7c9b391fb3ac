require ["subaddress", "envelope", "fileinto"];
if address :user :contains "to" "ave" { fileinto "ave"; }
if address :user :matches "to" "c*l" { fileinto "c-l"; }
if address :user :contains "to" "+" { fileinto "plus"; }
