require ["foreverypart", "mime", "variables", "fileinto"];
set "n" "";
foreverypart { if header :mime :matches :subtype "content-type" "*" { set "n" "${n}${1}."; } }
fileinto "n-${n}";
