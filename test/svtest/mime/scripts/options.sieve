require ["mime", "foreverypart"];

# The MIME options need :mime.
if header :type "content-type" "text" { }
if header :anychild "content-type" "text" { }
if exists :anychild "content-type" { }
# Only header takes :type, :subtype, :contenttype and :param.
if address :mime :type "from" "text" { }
if exists :mime :param "name" "content-type" { }
# One option at a time.
if header :mime :type :subtype "content-type" "text" { }
# :param needs its list of names.
if header :mime :param "content-type" "text" { }
# Valid.
if header :mime :anychild :param ["name", "filename"] ["content-type", "content-disposition"] "x" { }
if address :mime :anychild :domain "from" "example.org" { }
if exists :mime :anychild "content-disposition" { }
