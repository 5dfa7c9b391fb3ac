require ["foreverypart", "extracttext", "variables", "fileinto"];
set "n" "";
foreverypart { foreverypart { extracttext :first 4 "t"; set "n" "${n}${t},"; } break; }
fileinto "n-${n}";
