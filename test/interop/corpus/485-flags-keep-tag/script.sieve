require "imap4flags";
addflag "$A";
keep :flags ["\\Draft", "$K"];
