require ["imap4flags", "fileinto"];
addflag "  a   b  ";
if hasflag "b" { fileinto "b"; }
