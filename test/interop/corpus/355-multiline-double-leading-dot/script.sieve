require ["variables", "fileinto"];
set "t" text:
..beta
.
;
if string :comparator "i;octet" :matches "${t}" "..beta*" { fileinto "two"; }
elsif string :comparator "i;octet" :matches "${t}" ".beta*" { fileinto "one"; }
else { fileinto "none"; }
