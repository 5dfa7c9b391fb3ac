require ["imap4flags", "fileinto"];
addflag "$Work \\Seen";
if hasflag "$work" { fileinto "work"; }
if hasflag "\\SEEN" { fileinto "seen"; }
if hasflag "$Home" { fileinto "home"; }
