require ["foreverypart", "fileinto"];
break;
