require "fileinto";
/*
 keep;
 fileinto "no";
*/
fileinto "yes";
