require ["body", "fileinto"];
if body :content "text/html" :contains "<b>part</b>" { fileinto "markup"; }
if body :content "text/html" :contains "second part" { fileinto "text"; }
