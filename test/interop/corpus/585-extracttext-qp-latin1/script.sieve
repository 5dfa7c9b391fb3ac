require ["foreverypart", "extracttext", "variables", "fileinto"];
set "n" "";
foreverypart { extracttext "t"; if string :contains "${t}" "café inner" { fileinto "decoded"; } }
