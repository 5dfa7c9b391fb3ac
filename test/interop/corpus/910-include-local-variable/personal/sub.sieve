require ["include", "variables", "fileinto"];
if string :is "${local}" "" { fileinto "not-shared"; }
if string :is "${local}" "main" { fileinto "shared"; }
