require "imap4flags";
addflag ["$Foo", "$foo", "$Bar"];
