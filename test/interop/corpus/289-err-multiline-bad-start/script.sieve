require "fileinto";
fileinto text: x
Inbox
.
;
