require ["imap4flags", "fileinto"];
addflag "$Work";
if hasflag :contains "ork" { fileinto "contains"; }
if hasflag :matches "$W*" { fileinto "matches"; }
if hasflag :comparator "i;octet" "$work" { fileinto "octet"; }
