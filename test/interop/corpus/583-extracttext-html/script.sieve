require ["foreverypart", "extracttext", "variables", "fileinto", "mime"];
foreverypart { if header :mime :subtype "content-type" "html" { extracttext :first 8 "t"; fileinto "t-${t}"; } }
