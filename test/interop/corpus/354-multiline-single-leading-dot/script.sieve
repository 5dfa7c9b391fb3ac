require ["variables", "fileinto"];
set "t" text:
.alpha
.
;
if string :comparator "i;octet" :matches "${t}" ".alpha*" { fileinto "kept"; } else { fileinto "lost"; }
