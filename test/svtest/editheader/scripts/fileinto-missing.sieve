require ["editheader", "fileinto"];
addheader "X-Marked" "yes";
fileinto "No.Such.Mailbox";
