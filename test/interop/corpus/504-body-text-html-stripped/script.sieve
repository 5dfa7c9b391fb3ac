require ["body", "fileinto"];
if body :text :contains "second part" { fileinto "text"; }
if body :text :contains "<b>" { fileinto "markup"; }
