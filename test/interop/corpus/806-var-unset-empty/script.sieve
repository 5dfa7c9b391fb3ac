require ["variables", "fileinto"];
if string :is "${nothing}" "" { fileinto "empty"; }
