require "imap4flags";
setflag "$Checked \\Seen";
