require "imap4flags";
if hasflag "$Checked" {
	addflag "$Seen-Twice";
}
