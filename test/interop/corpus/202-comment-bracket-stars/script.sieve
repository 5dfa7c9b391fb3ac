require "fileinto";
/* a * b ** c ***/
fileinto "yes"; /****/
