require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if header :regex "subject" "(Re|Fwd): ([A-Z][a-z]+)" { fileinto "m-${0}-${1}-${2}"; }
