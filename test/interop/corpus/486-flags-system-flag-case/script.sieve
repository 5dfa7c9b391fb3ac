require "imap4flags";
addflag ["\\SEEN", "\\seen", "\\Deleted"];
