require ["copy", "fileinto"];
fileinto :copy "A" "B";
