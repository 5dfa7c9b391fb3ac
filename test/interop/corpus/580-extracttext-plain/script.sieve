require ["foreverypart", "extracttext", "variables", "fileinto"];
foreverypart { extracttext "t"; if string :is "${t}" "Plain body text.
" { fileinto "whole"; } }
