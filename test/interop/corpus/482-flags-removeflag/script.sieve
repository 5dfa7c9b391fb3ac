require "imap4flags";
addflag "$A $B \\Seen";
removeflag ["$b", "\\SEEN"];
