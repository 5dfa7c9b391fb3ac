require ["imapflags", "fileinto", "mailbox"];

addflag "$Label1";
mark;
fileinto :create "Marked";
unmark;
fileinto :create "Unmarked";
setflag "\\Seen";
fileinto :create "Set";
