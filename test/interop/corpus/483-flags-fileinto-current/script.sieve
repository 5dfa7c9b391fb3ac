require ["imap4flags", "fileinto"];
addflag "$A";
fileinto "One";
addflag "$B";
fileinto "Two";
