require ["foreverypart", "extracttext", "variables", "fileinto", "mime"];
foreverypart { if header :mime :type "content-type" "application" { extracttext "t"; fileinto "t-${t}"; } }
