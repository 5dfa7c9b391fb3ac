require ["imap4flags", "variables"];
setflag "v" "\\Seen $A";
addflag "v" "$B";
removeflag "v" "\\seen";
addflag "${v}";
