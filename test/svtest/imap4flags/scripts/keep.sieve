require "imap4flags";
setflag "$Kept";
keep;
