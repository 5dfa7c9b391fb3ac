require "imap4flags";
addflag "$A";
removeflag "$A";
