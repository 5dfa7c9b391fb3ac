require "imap4flags";
addflag "$A";
setflag ["\\Flagged", "$B"];
