require ["body", "fileinto"];
if body :content "message/rfc822" :contains "Subject: inner subject" { fileinto "header"; }
if body :content "message/rfc822" :contains "inner" { fileinto "any"; }
