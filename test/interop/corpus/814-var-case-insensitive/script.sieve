require ["variables", "fileinto"];
set "MiXed" "one";
fileinto "${mixed}";
