require ["imap4flags", "fileinto"];
addflag "$A";
fileinto :flags "\\Answered $Z" "One";
fileinto "Two";
