require ["mime", "fileinto"];
if header :mime :anychild :param "filename" "content-disposition" "longname.pdf" { fileinto "yes"; } else { fileinto "no"; }
