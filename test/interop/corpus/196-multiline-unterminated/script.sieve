require "fileinto";
fileinto text:
Inbox
