require ["mime", "fileinto"];
if address :mime :param "x" "from" "a@b.c" { fileinto "x"; }
