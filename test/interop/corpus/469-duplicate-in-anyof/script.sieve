require ["duplicate", "fileinto"];
if anyof (header :contains "subject" "nothing", duplicate) { fileinto "Duplicates"; }
