require ["imap4flags", "variables", "fileinto"];
setflag "v" "$x";
setflag "w" "$y";
if hasflag ["v", "w"] "$Y" { fileinto "yes"; }
if hasflag "v" "$y" { fileinto "no"; }
if hasflag "$x" { fileinto "internal"; }
