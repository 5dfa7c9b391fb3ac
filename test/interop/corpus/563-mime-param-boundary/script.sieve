require ["mime", "fileinto"];
if header :mime :param "boundary" "content-type" "XX" { fileinto "yes"; } else { fileinto "no"; }
