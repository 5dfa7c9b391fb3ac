require ["mime", "fileinto"];
if header :mime :anychild :param "name" "content-type" "résumé.txt" { fileinto "yes"; } else { fileinto "no"; }
