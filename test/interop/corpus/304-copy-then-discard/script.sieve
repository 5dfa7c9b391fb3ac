require ["copy", "fileinto"];
fileinto :copy "A";
discard;
