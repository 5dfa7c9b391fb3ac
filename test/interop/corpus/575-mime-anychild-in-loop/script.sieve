require ["foreverypart", "mime", "variables", "fileinto"];
set "n" "";
foreverypart { set "n" "${n}|"; if header :mime :anychild :contenttype "content-type" "text/plain" { set "n" "${n}P"; } }
fileinto "n-${n}";
