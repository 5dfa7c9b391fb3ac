require "imap4flags";
addflag ["\\Recent", "\\Unknown", "a(b", "ok"];
